package io.jcluster.agent.admin;

import io.jcluster.agent.http.cache.CacheStats;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;

import java.util.List;
import java.util.Map;

/**
 * What GET /status and GET /metrics show: a snapshot the parent assembles from its supervisor (processes) and its
 * balancer (connections, bytes, requests). Sizes in bytes, times in milliseconds; -1 where not known (yet).
 */
public record ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                            List<ListenerView> listeners, List<WorkerView> workers, ClusterApiView cluster,
                            SessionsView sessions, CacheView cache, AccessLogView accessLog,
                            Map<String, String> settings) {

    /**
     * Without the running values of the run-time options ({@code settings}: option key -> value as the options
     * say it, e.g. header-timeout -> 10s; what a SIGHUP changed shows here).
     */
    public ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                         List<ListenerView> listeners, List<WorkerView> workers, ClusterApiView cluster,
                         SessionsView sessions, CacheView cache, AccessLogView accessLog) {
        this(uptimeMillis, strategy, mode, transport, listeners, workers, cluster, sessions, cache, accessLog, null);
    }

    /** Without an access log (access-log=off, or tcp mode). */
    public ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                         List<ListenerView> listeners, List<WorkerView> workers, ClusterApiView cluster,
                         SessionsView sessions, CacheView cache, Map<String, String> settings) {
        this(uptimeMillis, strategy, mode, transport, listeners, workers, cluster, sessions, cache, null, settings);
    }

    /** Without an access log and without the run-time options' values. */
    public ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                         List<ListenerView> listeners, List<WorkerView> workers, ClusterApiView cluster,
                         SessionsView sessions, CacheView cache) {
        this(uptimeMillis, strategy, mode, transport, listeners, workers, cluster, sessions, cache, null, null);
    }

    /** Without Cluster API facts (a parent that hosts none). */
    public ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                         List<ListenerView> listeners, List<WorkerView> workers) {
        this(uptimeMillis, strategy, mode, transport, listeners, workers, null, null, null, null, null);
    }

    /** Without shared sessions (sessions=off) and without a response cache (cache=off, or tcp mode). */
    public ClusterStatus(long uptimeMillis, String strategy, String mode, String transport,
                         List<ListenerView> listeners, List<WorkerView> workers, ClusterApiView cluster) {
        this(uptimeMillis, strategy, mode, transport, listeners, workers, cluster, null, null, null, null);
    }

    public record ListenerView(String address, long connectionsTotal, long openConnections, long refusedTotal,
                               long bytesFromClients, long bytesToClients, long queueLength) {
    }

    /**
     * One worker process. {@code requests} counts requests in http mode only (tcp mode cannot see them);
     * {@code latencyBuckets} are cumulative counts per bound of {@code latencyBoundsSeconds}, then +Inf.
     * {@code clientAddressFallbacks}: connections whose client's address the worker did not find (its app saw the
     * parent's 127.0.0.1 instead). {@code recycledForRequests} and {@code recycledForAge}: how many of this id's
     * restarts were recycles for max-requests and for max-age.
     */
    public record WorkerView(int id, long pid, String state, long uptimeMillis, int restarts, Integer lastExitStatus,
                             long openConnections, long connectionsTotal, long requests, long bytesFromClients,
                             long bytesToClients, long residentBytes, long heapUsedBytes, long gcMillis, int threads,
                             double[] latencyBoundsSeconds, long[] latencyBuckets, long latencySumNanos,
                             long clientAddressFallbacks, long recycledForRequests, long recycledForAge) {

        /** A worker never recycled. */
        public WorkerView(int id, long pid, String state, long uptimeMillis, int restarts, Integer lastExitStatus,
                          long openConnections, long connectionsTotal, long requests, long bytesFromClients,
                          long bytesToClients, long residentBytes, long heapUsedBytes, long gcMillis, int threads,
                          double[] latencyBoundsSeconds, long[] latencyBuckets, long latencySumNanos,
                          long clientAddressFallbacks) {
            this(id, pid, state, uptimeMillis, restarts, lastExitStatus, openConnections, connectionsTotal, requests,
                    bytesFromClients, bytesToClients, residentBytes, heapUsedBytes, gcMillis, threads,
                    latencyBoundsSeconds, latencyBuckets, latencySumNanos, clientAddressFallbacks, 0, 0);
        }
    }

    /** The worker count per state. */
    public long count(String state) {
        return workers.stream().filter(worker -> worker.state().equals(state)).count();
    }

    /**
     * The Cluster API: the store ({@code store} "embedded" or the Redis URI without password) and its health, the
     * shared maps (-1 where the store does not tell), the messages ({@code droppedInParent}: a worker's full queue in
     * the parent; {@code droppedInStore}: what the store could not carry), the leader's worker id (-1: none).
     */
    public record ClusterApiView(String store, boolean storeUp, String storeDetail, long mapEntries, long mapBytes,
                                 long mapEvictions, Map<String, Long> mapOperations, long messagesPublished,
                                 long messagesDelivered, long droppedInParent, long droppedInStore, int leader,
                                 List<ClusterWorkerView> workers) {
    }

    /**
     * sessions=shared: {@code stored} session records in the store now, and {@code evictions} of them because the
     * store was full (each -1 where the store does not tell: Redis); the rest counted by the workers, summed over
     * every worker process since the parent started: records read (found) and their bytes, written and their bytes,
     * removed (invalidated or expired), sessions kept in one worker's memory (not serializable, or above
     * max-message), and store calls that failed (no answer within store-timeout, unreachable).
     */
    public record SessionsView(long stored, long reads, long readBytes, long writes, long writeBytes, long removes,
                               long keptLocal, long storeFailures, long evictions) {
    }

    /** One connected worker's offload pool (-1 before its first report) and the messages dropped for it. */
    public record ClusterWorkerView(int id, long pid, int offloadThreads, int offloadBusy, int offloadQueued,
                                    long offloadRejected, long droppedInParent, long droppedInWorker) {
    }

    /**
     * The response cache ({@code cache=}): outcomes of requests since start (hits served from it, misses that went to
     * a worker, stale answers, revalidations a worker confirmed with 304, requests it did not apply to, requests that
     * waited for another's fill), responses stored, evicted (the bound) and purged, and what it holds now.
     */
    public record CacheView(long hits, long misses, long stale, long revalidated, long bypassed, long coalesced,
                            long stores, long evictions, long purged, long entries, long bytes, long maxBytes) {

        /** {@code cache}'s counters now; null without a cache. */
        public static CacheView of(ResponseCache cache) {
            if (cache == null) {
                return null;
            }
            CacheStats stats = cache.stats();
            return new CacheView(stats.hits(), stats.misses(), stats.stale(), stats.revalidated(), stats.bypassed(),
                    stats.coalesced(), stats.stores(), stats.evictions(), stats.purged(), stats.entries(),
                    stats.bytes(), stats.maxBytes());
        }
    }

    /**
     * The access log ({@code access-log=}, http mode): where it writes ({@code target}, a path or "stdout"), the lines
     * written, and the lines dropped because requests came faster than the destination took them (its queue of
     * 8,192 was full) or a write failed.
     */
    public record AccessLogView(String target, long written, long dropped) {

        /** {@code log}'s counters now; null without an access log. */
        public static AccessLogView of(AccessLog log) {
            return log == null ? null : new AccessLogView(log.target(), log.written(), log.dropped());
        }
    }
}
