package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.ProxyProtocol;
import io.jcluster.agent.config.Strategy;
import io.jcluster.bootstrap.ClientAddressTable;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
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
        // Netty samples 1 in 128 buffers for leak tracking unless told otherwise; a proxy's buffers all come and go
        // on the hot path, so that costs CPU on every request. Whoever sets the (relocated) property decides.
        String leakLevel = ResourceLeakDetector.class.getPackageName().replaceFirst("\\.util$", "")
                + ".leakDetection.level";
        if (System.getProperty(leakLevel) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    private volatile Strategy strategyName;
    private final Frontend frontend;
    /** What new listeners start with; each listener's gate has its own reference (see {@link #limit}). */
    private volatile ConnectionLimit limit;
    private final Transport transport;
    private final EventLoopGroup group;
    private final int eventLoops;
    private final ChannelGroup connections = new DefaultChannelGroup("jcluster-connections", GlobalEventExecutor.INSTANCE);
    private final Map<InetSocketAddress, Listener> listeners = new ConcurrentHashMap<>();
    /**
     * Held while a backend enters or leaves rotation, so that a probe finding a backend back and a drain of it
     * cannot interleave into a drained backend in rotation. Never held while waiting for anything (an event loop
     * takes it when a connect is refused).
     */
    private final Object rotation = new Object();
    private volatile boolean accepting = true;
    /** Null unless backends that refuse are probed back in ({@link #probeRefusedBackends}). */
    private volatile BackendProbe probe;
    private volatile ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
    /** Null unless backend connections publish their client for the workers ({@link #publishClientAddresses}). */
    private volatile ClientAddressTable clientAddresses;

    private Balancer(Strategy strategyName, Frontend frontend, ConnectionLimit limit, Transport transport,
                     int eventLoops) {
        this.strategyName = strategyName;
        this.frontend = frontend;
        this.limit = limit;
        this.transport = transport;
        this.eventLoops = eventLoops;
        this.group = new MultiThreadIoEventLoopGroup(eventLoops, transport.ioHandlers);
    }

    /** @param eventLoops event-loop threads; 0 = {@link #defaultEventLoops()} */
    public static Balancer start(Strategy strategy, Frontend frontend, ConnectionLimit limit, Transport transport,
                                 int eventLoops) {
        return new Balancer(strategy, frontend, limit, transport, eventLoops > 0 ? eventLoops : defaultEventLoops());
    }

    /** event-loops=auto: on this kind of work the kernel's TCP stack is most of the cost, one per two processors. */
    static int defaultEventLoops() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** How many event-loop threads this balancer runs. */
    public int eventLoops() {
        return eventLoops;
    }

    /** The strategy new connections (http mode: requests) pick their backend by. */
    public Strategy strategy() {
        return strategyName;
    }

    /**
     * From now on every listener picks by {@code strategy} (a SIGHUP that changed strategy=); connections and
     * requests already placed stay where they are.
     */
    public synchronized void strategy(Strategy strategy) {
        strategyName = strategy;
        listeners.values().forEach(listener -> listener.strategy(SelectionStrategy.of(strategy)));
    }

    /**
     * From now on every listener admits new connections by {@code next} (a SIGHUP that changed max-connections,
     * max-queue or queue-timeout); served connections are never closed for it, waiters beyond a raised limit are
     * admitted at once.
     */
    public synchronized void limit(ConnectionLimit next) {
        limit = next;
        listeners.values().forEach(listener -> listener.limit(next));
    }

    /** The connection limit new connections are admitted by. */
    public ConnectionLimit limit() {
        return limit;
    }

    /** The frontend every listener serves its clients with (a SIGHUP reconfigures it). */
    public Frontend frontend() {
        return frontend;
    }

    /** "tcp", "http" or "https". */
    public String frontendName() {
        return frontend.name();
    }

    /** "io_uring", "epoll" or "nio". */
    public String transportName() {
        return transport.name;
    }

    /** Why the fastest transport is not in use, or null. */
    public String transportNote() {
        return transport.note;
    }

    /**
     * Opens the listener for {@code requested} unless it is open already, with {@code first} in its rotation from
     * the start; more backends enter with {@link #admit}.
     *
     * @return true when this call opened the listener
     * @throws IOException when the address cannot be bound (e.g. java.net.BindException: the port is taken)
     */
    public synchronized boolean listen(InetSocketAddress requested, Backend first) throws IOException {
        if (first.draining()) {
            return false;
        }
        return listen(requested, List.of(first));
    }

    /**
     * Opens the listener for {@code requested} unless it is open already, with {@code initial} in its rotation from
     * the start (possibly none: then clients are turned away until a backend enters).
     *
     * @return true when this call opened the listener
     * @throws IOException when the address cannot be bound (e.g. java.net.BindException: the port is taken)
     */
    public synchronized boolean listen(InetSocketAddress requested, Collection<Backend> initial) throws IOException {
        if (!accepting || listeners.containsKey(requested)) {
            return false;
        }
        listeners.put(requested, Listener.open(requested, initial, SelectionStrategy.of(strategyName), group,
                transport, connections, frontend, limit, probe, clientAddresses, proxyProtocol));
        return true;
    }

    /**
     * For backends named up front rather than reported by workers (the standalone balancer): from now on a backend
     * that refuses a connection leaves the rotation of every listener and is probed with a TCP connect every
     * {@code period} until one succeeds, then enters every listener's rotation again. Call before {@link #listen}.
     */
    public synchronized BackendProbe probeRefusedBackends(Duration period) {
        if (probe == null) {
            probe = new BackendProbe(this, group, transport, period);
        }
        return probe;
    }

    /**
     * For backends that run no agent (the standalone balancer's {@code --proxy-protocol}): every backend connection
     * of the listeners opened from now on starts with a PROXY header naming its client. Call before {@link #listen}.
     */
    public synchronized void sendProxyHeaders(ProxyProtocol version) {
        proxyProtocol = version;
    }

    /**
     * From now on every backend connection publishes the client it carries in {@code table}, so that jcluster's
     * workers show the app its client's address instead of the balancer's. Call before {@link #listen}.
     */
    public void publishClientAddresses(ClientAddressTable table) {
        clientAddresses = table;
    }

    /** Puts {@code backend} in the rotation of every listener (the probe found it serving), unless it is draining. */
    void admitEverywhere(Backend backend) {
        synchronized (rotation) {
            if (backend.draining()) {
                return;
            }
            for (Listener listener : listeners.values()) {
                listener.backendSet().add(backend);
            }
        }
    }

    /** Takes {@code backend} out of the rotation of every listener, without draining it (it may come back). */
    void removeEverywhere(Backend backend) {
        synchronized (rotation) {
            for (Listener listener : listeners.values()) {
                listener.backendSet().removeIf(b -> b == backend);
            }
        }
    }

    /** Puts {@code backend} in the rotation of {@code requested}'s listener (opened by {@link #listen}). */
    public synchronized void admit(InetSocketAddress requested, Backend backend) {
        synchronized (rotation) {
            Listener listener = listeners.get(requested);
            if (listener != null && !backend.draining()) {
                listener.backendSet().add(backend);
            }
        }
    }

    /**
     * Takes {@code backend} out of rotation: it gets no new connections and is {@linkplain Backend#draining()
     * draining}; its open connections stay as they are (see {@link #releaseIdle}). For a worker this is for good;
     * the standalone balancer may {@link #restore} it.
     */
    public void withdraw(Backend backend) {
        synchronized (rotation) {
            backend.markDraining();
            for (Listener listener : listeners.values()) {
                listener.backendSet().removeIf(b -> b == backend);
            }
        }
    }

    /**
     * For backends named by the user (the standalone balancer): {@code backend} serves again, after a
     * {@link #withdraw} or as a backend added at run time. It enters every listener's rotation now, or, while the
     * probe holds it as down ({@link #probeRefusedBackends}), as soon as a probe connects.
     */
    public void restore(Backend backend) {
        synchronized (rotation) {
            backend.markServing();
            BackendProbe running = probe;
            if (running == null || !running.isDown(backend)) {
                admitEverywhere(backend);
            }
        }
    }

    /** The backends in rotation on {@code requested}'s listener now (none when it is not open). */
    Backend[] inRotation(InetSocketAddress requested) {
        Listener listener = listeners.get(requested);
        return listener == null ? new Backend[0] : listener.backends();
    }

    /** The addresses listened on: what every worker must serve before it is ready. */
    public Set<InetSocketAddress> addresses() {
        return Set.copyOf(listeners.keySet());
    }

    /** What each listener carried so far. */
    public List<ListenerStats> listenerStats() {
        List<ListenerStats> stats = new ArrayList<>();
        for (Listener listener : listeners.values()) {
            stats.add(listener.stats());
        }
        return stats;
    }

    /**
     * One pass over the connections of the given (withdrawn) backends: each that sat idle since the previous pass,
     * its last bytes sent to the client, lets its backend go. A keep-alive HTTP/1 connection stays open for the
     * client and moves to a backend in rotation at its next request; any other is closed. Call every 200 ms or so
     * while waiting for the backends' {@link Backend#openConnections()} to reach zero.
     */
    public void releaseIdle(Collection<Backend> draining) {
        if (draining.isEmpty()) {
            return;
        }
        for (Channel client : connections) {
            client.eventLoop().execute(() -> {
                // http mode needs nothing here: its requests pick a worker in rotation each time
                if (client.attr(ClientConnection.KEY).get() instanceof ProxiedConnection connection) {
                    Backend serving = connection.backendServing();
                    if (serving != null && draining.contains(serving)) {
                        connection.releaseIfIdle();
                    }
                }
            });
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
        BackendProbe running = probe;
        if (running != null) {
            running.stop();
        }
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
