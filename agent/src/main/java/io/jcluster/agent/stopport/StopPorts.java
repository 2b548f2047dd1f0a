package io.jcluster.agent.stopport;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The parent's stop ports: each address a worker's server would listen on for its stop command (Tomcat's shutdown
 * port, which each worker binds privately instead), bound once, on one small event loop of its own that starts with
 * the first. The right command stops the cluster as SIGTERM does; a wrong one is logged (at most every 5 s) and
 * otherwise ignored, as Tomcat ignores it. The command is the one the latest worker reported (a reload after editing
 * server.xml brings the new one); the address stays what the first report said, for as long as the parent runs.
 */
public final class StopPorts implements AutoCloseable {

    /** At most this many connections at once; more are closed at once (a stranger must not pile them up). */
    static final int MAX_CONNECTIONS = 16;
    /** The whole command must arrive within this time of the connect (Tomcat's read timeout). */
    static final long COMMAND_DEADLINE_MILLIS = 10_000;

    private final Consumer<String> stop;
    private final long deadlineMillis;
    private final Log.RateLimited invalid = new Log.RateLimited(5, TimeUnit.SECONDS);
    private final Log.RateLimited tooMany = new Log.RateLimited(5, TimeUnit.SECONDS);
    private final Map<InetSocketAddress, Port> ports = new HashMap<>();
    /** Addresses that could not be bound: tried once, said once. */
    private final Set<InetSocketAddress> unavailable = new HashSet<>();
    private EventLoopGroup group;
    private boolean closed;

    /** @param stop asked, with the reason, to stop the cluster gracefully (as SIGTERM) */
    public StopPorts(Consumer<String> stop) {
        this(stop, COMMAND_DEADLINE_MILLIS);
    }

    StopPorts(Consumer<String> stop, long deadlineMillis) {
        this.stop = stop;
        this.deadlineMillis = deadlineMillis;
    }

    /**
     * A worker's Tomcat listens (privately) for {@code command} where it asked for {@code address}: from now on the
     * parent listens there. Never throws: a port that cannot be bound is one line saying what to do instead.
     */
    public synchronized void tomcat(InetSocketAddress address, String command) {
        if (closed || unavailable.contains(address)) {
            return;
        }
        Port port = ports.get(address);
        if (port != null) {
            port.command = command;
            return;
        }
        port = new Port(address, command);
        try {
            port.channel = bind(port);
        } catch (RuntimeException e) {
            unavailable.add(address);
            Log.info("cannot listen on Tomcat's shutdown port " + describe(address) + " (" + Log.describe(e)
                    + "; is another Tomcat using it?): its shutdown command (catalina.sh stop) cannot reach this"
                    + " cluster; stop it with SIGTERM to pid " + ProcessHandle.current().pid());
            return;
        }
        ports.put(address, port);
        Log.info("Tomcat's shutdown port " + describe(port.listening()) + ": the parent listens there; the shutdown command"
                + " (catalina.sh stop) stops the cluster");
    }

    /** The address the parent listens on for {@code requested} (the port the kernel picked when it asked for 0). */
    synchronized InetSocketAddress listening(InetSocketAddress requested) {
        Port port = ports.get(requested);
        return port == null ? null : port.listening();
    }

    private Channel bind(Port port) {
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(1, runnable -> {
                Thread thread = new Thread(runnable, "jcluster-stop-port");
                thread.setDaemon(true);
                return thread;
            }, NioIoHandler.newFactory());
        }
        AtomicInteger open = new AtomicInteger();
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        if (open.incrementAndGet() > MAX_CONNECTIONS) {
                            open.decrementAndGet();
                            tooMany.info("Tomcat's shutdown port " + describe(port.listening()) + ": " + MAX_CONNECTIONS
                                    + " connections are open already; closed another");
                            client.close();
                            return;
                        }
                        client.closeFuture().addListener(closedFuture -> open.decrementAndGet());
                        InetSocketAddress from = client.remoteAddress();
                        client.pipeline().addLast(new TomcatShutdownReader(port.command, deadlineMillis,
                                match -> received(port, from, match)));
                    }
                })
                .bind(port.address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause.getMessage(), cause);
        }
        return bound.channel();
    }

    private void received(Port port, InetSocketAddress from, boolean match) {
        if (match) {
            stop.accept("Tomcat's shutdown command received on " + describe(port.listening()));
        } else {
            // the text is not shown: it may be a mistyped password
            invalid.info("an invalid shutdown command arrived on Tomcat's shutdown port " + describe(port.listening())
                    + " from " + describe(from) + "; ignored, as Tomcat ignores it");
        }
    }

    private static String describe(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Stops listening; later reports are ignored. */
    @Override
    public void close() {
        EventLoopGroup stopping;
        synchronized (this) {
            closed = true;
            for (Port port : ports.values()) {
                port.channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            ports.clear();
            stopping = group;
            group = null;
        }
        if (stopping != null) {
            stopping.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** One address listened on; its command changes with the latest report. */
    private static final class Port {
        final InetSocketAddress address;
        volatile String command;
        volatile Channel channel;

        Port(InetSocketAddress address, String command) {
            this.address = address;
            this.command = command;
        }

        /** Where the parent listens (the port the kernel picked, had the report asked for 0). */
        InetSocketAddress listening() {
            Channel bound = channel;
            return bound == null ? address : (InetSocketAddress) bound.localAddress();
        }
    }
}
