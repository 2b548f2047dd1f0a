package io.jcluster.agent.admin;

import java.util.List;

/**
 * What GET /status and GET /metrics show: a snapshot the parent assembles from its supervisor (processes) and its
 * balancer (connections, bytes, requests). Sizes in bytes, times in milliseconds; -1 where not known (yet).
 */
public record ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                            List<ListenerView> listeners, List<WorkerView> workers) {

    public record ListenerView(String address, long connectionsTotal, long openConnections, long refusedTotal,
                               long bytesFromClients, long bytesToClients, long queueLength) {
    }

    /**
     * One worker process. {@code requests} counts requests in http mode only (tcp mode cannot see them);
     * {@code latencyBuckets} are cumulative counts per bound of {@code latencyBoundsSeconds}, then +Inf.
     * {@code clientAddressFallbacks}: connections whose client's address the worker did not find (its app saw the
     * parent's 127.0.0.1 instead).
     */
    public record WorkerView(int id, long pid, String state, long uptimeMillis, int restarts, Integer lastExitStatus,
                             long openConnections, long connectionsTotal, long requests, long bytesFromClients,
                             long bytesToClients, long residentBytes, long heapUsedBytes, long gcMillis, int threads,
                             double[] latencyBoundsSeconds, long[] latencyBuckets, long latencySumNanos,
                             long clientAddressFallbacks) {
    }

    /** The worker count per state. */
    public long count(String state) {
        return workers.stream().filter(worker -> worker.state().equals(state)).count();
    }
}
