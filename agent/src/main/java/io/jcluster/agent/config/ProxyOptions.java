package io.jcluster.agent.config;

import java.time.Duration;
import java.util.List;

/**
 * What the balancer in front of the workers needs: which ports it takes over, how it speaks to clients and picks a
 * worker, which sockets it uses and how many connections it serves at once.
 *
 * @param ports          the app's ports to cluster; empty: every fixed port the app binds
 * @param maxConnections per listener; 0 for no limit
 * @param tcpIdleTimeout mode=tcp: zero when off
 * @param proxyProtocol  the standalone balancer's PROXY header towards its backends
 * @param eventLoops     the balancer's event-loop threads; 0 = auto (one per two processors)
 */
public record ProxyOptions(
        List<Integer> ports,
        Options.Mode mode,
        Options.Balancing balancer,
        Strategy strategy,
        Options.TransportChoice transport,
        int maxConnections,
        int maxQueue,
        Duration queueTimeout,
        Duration tcpIdleTimeout,
        Options.ProxyProtocol proxyProtocol,
        int eventLoops) {

    public ProxyOptions {
        ports = List.copyOf(ports);
    }

    /** Whether the workers share the app's ports with SO_REUSEPORT and the parent runs no proxy. */
    public boolean kernelBalancing() {
        return balancer == Options.Balancing.KERNEL;
    }

    /** Whether a bind of {@code port} is moved behind the balancer (balancer=kernel: shared with SO_REUSEPORT). */
    public boolean clusters(int port) {
        return port != 0 && (ports.isEmpty() || ports.contains(port));
    }
}
