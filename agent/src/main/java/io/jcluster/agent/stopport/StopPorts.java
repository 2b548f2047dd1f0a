package io.jcluster.agent.stopport;

import io.jcluster.agent.admin.CappedConnections;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The parent's stop ports: each address a worker's server would listen on for its stop command (Tomcat's shutdown
 * port, Jetty's STOP.PORT, which each worker binds privately instead), bound once, on one small event loop of its own
 * that starts with the first. The right command stops the cluster as SIGTERM does; a wrong one is logged (at most
 * every 5 s, never its text) and otherwise ignored, as the server ignores it. The command (Jetty: the key) is the one
 * the latest worker reported (a reload after editing server.xml brings the new one); the address stays what the first
 * report said, for as long as the parent runs. A Jetty client that sent a stop command hears "Stopped" once the
 * cluster has stopped ({@link #close}).
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
    /** Jetty clients that sent a stop command: they wait for "Stopped". */
    private final Set<Channel> awaitingStopped = ConcurrentHashMap.newKeySet();
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

    /** A worker's report of its server's stop port: from now on the parent listens there. Never throws. */
    public void heard(ControlMessage.StopPort report) {
        if (ControlMessage.StopPort.JETTY.equals(report.convention())) {
            jetty(report.address(), report.command());
        } else {
            tomcat(report.address(), report.command());
        }
    }

    /**
     * A worker's Tomcat listens (privately) for {@code command} where it asked for {@code address}: from now on the
     * parent listens there. Never throws: a port that cannot be bound is one line saying what to do instead.
     */
    public void tomcat(InetSocketAddress address, String command) {
        listen(address, StopConvention.TOMCAT, command);
    }

    /** A worker's Jetty listens (privately) for {@code key} where it asked for {@code address} (STOP.PORT). */
    public void jetty(InetSocketAddress address, String key) {
        listen(address, StopConvention.JETTY, key);
    }

    private synchronized void listen(InetSocketAddress address, StopConvention convention, String secret) {
        if (closed || unavailable.contains(address)) {
            return;
        }
        Port port = ports.get(address);
        if (port != null) {
            port.convention = convention;
            port.secret = secret;
            return;
        }
        port = new Port(address, convention, secret);
        try {
            port.channel = bind(port);
        } catch (RuntimeException e) {
            unavailable.add(address);
            Log.info("cannot listen on " + convention.port + " " + describe(address) + " (" + Log.describe(e)
                    + "; is another " + convention.server + " using it?): its " + convention.command + " ("
                    + convention.client + ") cannot reach this cluster; stop it with SIGTERM to pid "
                    + ProcessHandle.current().pid());
            return;
        }
        ports.put(address, port);
        Log.info(convention.port + " " + describe(port.listening()) + ": the parent listens there; the "
                + convention.command + " (" + convention.client + ") stops the cluster");
    }

    /** The address the parent listens on for {@code requested} (the port the kernel picked when it asked for 0). */
    synchronized InetSocketAddress listening(InetSocketAddress requested) {
        Port port = ports.get(requested);
        return port == null ? null : port.listening();
    }

    private Channel bind(Port port) {
        if (group == null) {
            group = CappedConnections.eventLoop("jcluster-stop-port");
        }
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new CappedConnections(MAX_CONNECTIONS, () -> tooMany.info(port.convention.port + " "
                        + describe(port.listening()) + ": " + MAX_CONNECTIONS
                        + " connections are open already; closed another"), client -> {
                            InetSocketAddress from = client.remoteAddress();
                            client.pipeline().addLast(port.convention == StopConvention.JETTY
                                    ? new JettyStopReader(port.secret, deadlineMillis,
                                            verdict -> received(port, client, from, verdict))
                                    : new TomcatShutdownReader(port.secret, deadlineMillis,
                                            match -> received(port, from, match)));
                        }))
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

    private void received(Port port, Channel client, InetSocketAddress from, JettyStopReader.Verdict verdict) {
        String where = "Jetty's stop port " + describe(port.listening()) + " from " + describe(from);
        switch (verdict) {
            case STOP -> {
                awaitingStopped.add(client);
                client.closeFuture().addListener(closed -> awaitingStopped.remove(client));
                stop.accept("Jetty's stop command received on " + describe(port.listening()));
            }
            // the key is not shown: it may be a mistyped password
            case WRONG_KEY -> invalid.info("a wrong stop key arrived on " + where + "; ignored, as Jetty ignores it");
            case UNKNOWN_COMMAND -> invalid.info("an unknown command followed the right stop key on " + where
                    + "; ignored, as Jetty ignores it");
            case TIMED_OUT -> invalid.info("a connection to " + where + " sent no complete key and command within "
                    + deadlineMillis + " ms; closed");
            case STATUS, PID -> {
                // answered by the reader, as Jetty answers
            }
        }
    }

    private static String describe(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Stops listening; later reports are ignored. Called once the cluster has stopped: the Jetty clients that asked
     * for it hear "Stopped" first.
     */
    @Override
    public void close() {
        EventLoopGroup stopping;
        synchronized (this) {
            closed = true;
            List<ChannelFuture> answered = new ArrayList<>();
            for (Channel client : awaitingStopped) {
                answered.add(JettyStopReader.answerStopped(client));
            }
            // a few bytes each: written at once unless a client stopped reading, which gets a second in all
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (ChannelFuture answer : answered) {
                answer.awaitUninterruptibly(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
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

    /** One address listened on; its command (Jetty: key) changes with the latest report. */
    private static final class Port {
        final InetSocketAddress address;
        volatile StopConvention convention;
        volatile String secret;
        volatile Channel channel;

        Port(InetSocketAddress address, StopConvention convention, String secret) {
            this.address = address;
            this.convention = convention;
            this.secret = secret;
        }

        /** Where the parent listens (the port the kernel picked, had the report asked for 0). */
        InetSocketAddress listening() {
            Channel bound = channel;
            return bound == null ? address : (InetSocketAddress) bound.localAddress();
        }
    }
}
