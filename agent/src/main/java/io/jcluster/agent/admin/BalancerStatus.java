package io.jcluster.agent.admin;

import java.util.List;

/**
 * What the standalone balancer's GET /status, /metrics and /ready show: its listeners (the same facts as the agent's)
 * and the backends the user named, each with its state. Sizes in bytes, times in milliseconds.
 *
 * @param stopping  true once SIGTERM/SIGINT arrived: /ready answers 503 from then on
 * @param cache     the response cache ({@code --cache}), or null
 * @param accessLog the access log ({@code --access-log}), or null
 */
public record BalancerStatus(long uptimeMillis, String strategy, String mode, String transport, boolean stopping,
                             List<ClusterStatus.ListenerView> listeners, List<BackendView> backends,
                             ClusterStatus.CacheView cache, ClusterStatus.AccessLogView accessLog) {

    /** Without a response cache and without an access log. */
    public BalancerStatus(long uptimeMillis, String strategy, String mode, String transport, boolean stopping,
                          List<ClusterStatus.ListenerView> listeners, List<BackendView> backends) {
        this(uptimeMillis, strategy, mode, transport, stopping, listeners, backends, null, null);
    }

    /** In rotation: new connections may go there. */
    public static final String READY = "ready";
    /** Refused a connection (or was down at start): out of rotation, probed with a tcp connect until it accepts. */
    public static final String DOWN = "down";
    /** Drained on request: no new connections, its open ones finish; back with {@code backend ready}. */
    public static final String DRAINING = "draining";
    /** Being removed: draining, then forgotten. */
    public static final String REMOVING = "removing";
    static final List<String> STATES = List.of(READY, DOWN, DRAINING, REMOVING);

    /**
     * One backend. {@code requests} and the latency buckets count requests in http mode only (tcp mode sees
     * connections); {@code latencyBuckets} are cumulative counts per bound of {@code latencyBoundsSeconds}, then +Inf.
     */
    public record BackendView(String address, String state, long openConnections, long connectionsTotal,
                              long requests, long bytesFromClients, long bytesToClients, double[] latencyBoundsSeconds,
                              long[] latencyBuckets, long latencySumNanos) {
    }

    /** GET /ready: while not stopping, at least one backend is in rotation. */
    public boolean ready() {
        return !stopping && count(READY) > 0;
    }

    /** The backend count in {@code state}. */
    public long count(String state) {
        return backends.stream().filter(backend -> backend.state().equals(state)).count();
    }
}
