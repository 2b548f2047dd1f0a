package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Strategy;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The parent's balancer: one listener per address the app asked for, each spreading connections over the
 * backends registered for that address. It knows backends (an owner id and an address), not processes.
 */
public final class Balancer implements AutoCloseable {

    /**
     * Netty's own log (java.util.logging here) says only what needs acting on: its INFO lines, such as a note
     * about direct buffers in a -m launch without jdk.unsupported, would otherwise reach the user's console.
     * Held in a field: JUL forgets the level of a logger nobody references.
     */
    private static final Logger NETTY_LOG = Logger.getLogger(Channel.class.getPackageName().replaceFirst("\\.channel$", ""));

    static {
        NETTY_LOG.setLevel(Level.WARNING);
    }

    private final Strategy strategyName;
    private final Frontend frontend;
    private final ConnectionLimit limit;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup("jcluster-connections", GlobalEventExecutor.INSTANCE);
    private final Map<InetSocketAddress, Listener> listeners = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;

    private Balancer(Strategy strategyName, Frontend frontend, ConnectionLimit limit, Transport transport,
                     int eventLoops) {
        this.strategyName = strategyName;
        this.frontend = frontend;
        this.limit = limit;
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(eventLoops, transport.ioHandlers);
    }

    public static Balancer start(Strategy strategy) {
        return start(strategy, Frontend.tcp(), ConnectionLimit.NONE);
    }

    public static Balancer start(Strategy strategy, Frontend frontend, ConnectionLimit limit) {
        // on this kind of work the kernel's TCP stack is most of the cost: one loop per two processors is plenty
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new Balancer(strategy, frontend, limit, Transport.choose(), loops);
    }

    /** "tcp", "http" or "https". */
    public String frontendName() {
        return frontend.name();
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return transport.name;
    }

    /** Why the fastest transport is not in use, or null. */
    public String transportNote() {
        return transport.note;
    }

    /**
     * Sends connections for {@code requested} to {@code backend} too, opening the listener first if this is
     * the first backend for that address.
     *
     * @return true when this call opened the listener
     * @throws IOException when the address cannot be bound (e.g. java.net.BindException: the port is taken)
     */
    public synchronized boolean serve(InetSocketAddress requested, Backend backend) throws IOException {
        if (!accepting) {
            return false;
        }
        boolean opened = false;
        Listener listener = listeners.get(requested);
        if (listener == null) {
            listener = Listener.open(requested, SelectionStrategy.of(strategyName), group, transport, connections,
                    frontend, limit);
            listeners.put(requested, listener);
            opened = true;
        }
        listener.backendSet().add(backend);
        return opened;
    }

    /** Takes every backend of {@code owner} out of rotation at once; open connections to them stay as they are. */
    public void withdraw(int owner) {
        for (Listener listener : listeners.values()) {
            listener.backendSet().removeIf(backend -> backend.owner() == owner);
        }
    }

    public static String describe(InetSocketAddress address) {
        return Listener.describe(address);
    }

    /** Closes every listener: new connections are refused from now on, open ones continue. */
    public synchronized void stopAccepting() {
        accepting = false;
        listeners.values().forEach(Listener::stopAccepting);
    }

    /**
     * Waits until every open connection has ended or sits idle between requests (idle ones are closed),
     * at most until {@code deadlineNanos} (System.nanoTime). Returns the number still open at the end.
     */
    public int drain(long deadlineNanos) throws InterruptedException {
        while (!connections.isEmpty() && deadlineNanos - System.nanoTime() > 0) {
            for (Channel client : connections) {
                client.eventLoop().execute(() -> {
                    ClientConnection connection = client.attr(ClientConnection.KEY).get();
                    if (connection != null) {
                        connection.closeIfIdle();
                    }
                });
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return connections.size();
    }

    @Override
    public void close() {
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
