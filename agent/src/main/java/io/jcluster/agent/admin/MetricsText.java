package io.jcluster.agent.admin;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** GET /metrics: the cluster in the Prometheus text exposition format (version 0.0.4). */
final class MetricsText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder text = new StringBuilder(8192);

    /** An empty text; {@link BalancerReport} writes the standalone balancer's with the same families. */
    MetricsText() {
    }

    static String render(ClusterStatus status) {
        MetricsText out = new MetricsText();
        out.cluster(status);
        out.listeners(status.listeners(), "worker");
        out.workers(status);
        if (status.cluster() != null) {
            out.clusterApi(status.cluster());
        }
        if (status.sessions() != null) {
            out.sessions(status.sessions());
        }
        if (status.cache() != null) {
            out.cache(status.cache());
        }
        if (status.accessLog() != null) {
            out.accessLog(status.accessLog());
        }
        if (status.settings() != null) {
            out.settings(status.settings());
        }
        return out.text();
    }

    private void sessions(ClusterStatus.SessionsView sessions) {
        if (sessions.stored() >= 0) {
            family("jcluster_sessions_stored", "gauge", "Session records the store holds now (embedded store; one per"
                    + " session, including sessions that timed out but were not yet removed).");
            sample("jcluster_sessions_stored", "", sessions.stored());
        }
        total("jcluster_sessions_reads_total", "Session records read from the store at a request's start (found).",
                sessions.reads());
        total("jcluster_sessions_read_bytes_total", "Bytes of the session records read.", sessions.readBytes());
        total("jcluster_sessions_writes_total", "Session records written to the store at a request's end.",
                sessions.writes());
        total("jcluster_sessions_written_bytes_total", "Bytes of the session records written.",
                sessions.writeBytes());
        total("jcluster_sessions_removes_total", "Session records removed (invalidated or timed out).",
                sessions.removes());
        total("jcluster_sessions_kept_local_total", "Sessions kept in one worker's memory only: an attribute is not"
                + " serializable, or the record is larger than max-message (the worker logs which, once).",
                sessions.keptLocal());
        total("jcluster_sessions_store_failures_total", "Session store calls that failed (no answer within"
                + " store-timeout, store unreachable): a failed read fails its request; a failed write loses that"
                + " request's changes.", sessions.storeFailures());
        if (sessions.evictions() >= 0) {
            family("jcluster_sessions_evictions_total", "counter", "Session records evicted because the embedded"
                    + " store was full (store-size): those users lost their sessions. Should stay 0.");
            sample("jcluster_sessions_evictions_total", "", sessions.evictions());
        }
    }

    private void total(String name, String help, long value) {
        family(name, "counter", help + " Summed over every worker process since the parent started.");
        sample(name, "", value);
    }

    private void cluster(ClusterStatus status) {
        family("jcluster_uptime_seconds", "gauge", "Seconds since the parent started.");
        sample("jcluster_uptime_seconds", "", status.uptimeMillis() / 1000.0);
        family("jcluster_workers", "gauge", "Worker processes by state (starting, ready, draining, restarting, given-up).");
        for (String state : new String[] {"starting", "ready", "draining", "restarting", "given-up"}) {
            sample("jcluster_workers", labels("state", state), status.count(state));
        }
    }

    /** The listener families; {@code servers} names what serves behind them ("worker", "backend"). */
    void listeners(List<ClusterStatus.ListenerView> listeners, String servers) {
        listenerFamily(listeners, "jcluster_listener_connections_total", "counter",
                "Client connections accepted on the listener.", ClusterStatus.ListenerView::connectionsTotal);
        listenerFamily(listeners, "jcluster_listener_open_connections", "gauge",
                "Client connections open on the listener now.", ClusterStatus.ListenerView::openConnections);
        listenerFamily(listeners, "jcluster_listener_refused_connections_total", "counter",
                "Client connections closed at once because no " + servers + " was in rotation.",
                ClusterStatus.ListenerView::refusedTotal);
        listenerFamily(listeners, "jcluster_listener_received_bytes_total", "counter",
                "Bytes received from clients.", ClusterStatus.ListenerView::bytesFromClients);
        listenerFamily(listeners, "jcluster_listener_sent_bytes_total", "counter",
                "Bytes sent to clients.", ClusterStatus.ListenerView::bytesToClients);
        listenerFamily(listeners, "jcluster_listener_queue_length", "gauge",
                "Requests waiting for a connection slot (http mode with max-connections; always 0 in tcp mode).",
                ClusterStatus.ListenerView::queueLength);
    }

    private void listenerFamily(List<ClusterStatus.ListenerView> listeners, String name, String type, String help,
                                ToDoubleFunction<ClusterStatus.ListenerView> value) {
        family(name, type, help);
        for (ClusterStatus.ListenerView listener : listeners) {
            sample(name, labels("listener", listener.address()), value.applyAsDouble(listener));
        }
    }

    private void workers(ClusterStatus status) {
        family("jcluster_worker_info", "gauge", "1 for each worker process, labelled with its id, pid and state.");
        for (ClusterStatus.WorkerView worker : status.workers()) {
            sample("jcluster_worker_info", labels("worker", Integer.toString(worker.id()), "pid",
                    Long.toString(worker.pid()), "state", worker.state()), 1);
        }
        family("jcluster_worker_restarts_total", "counter",
                "Processes started for this worker id after its first (crash restarts, reloads, replacements).");
        Set<Integer> ids = new HashSet<>();
        for (ClusterStatus.WorkerView worker : status.workers()) {
            if (ids.add(worker.id())) {
                sample("jcluster_worker_restarts_total", labels("worker", Integer.toString(worker.id())), worker.restarts());
            }
        }
        family("jcluster_worker_recycles_total", "counter", "Processes of this worker id replaced because they reached"
                + " max-requests or max-age (each is one of its restarts too).");
        ids.clear();
        for (ClusterStatus.WorkerView worker : status.workers()) {
            if (ids.add(worker.id())) {
                String id = Integer.toString(worker.id());
                sample("jcluster_worker_recycles_total", labels("worker", id, "reason", "max-requests"),
                        worker.recycledForRequests());
                sample("jcluster_worker_recycles_total", labels("worker", id, "reason", "max-age"),
                        worker.recycledForAge());
            }
        }
        workerFamily(status, "jcluster_worker_uptime_seconds", "gauge", "Seconds since the worker process started.",
                worker -> worker.uptimeMillis() / 1000.0);
        workerFamily(status, "jcluster_worker_open_connections", "gauge",
                "Connections the balancer has open to the worker now.", ClusterStatus.WorkerView::openConnections);
        workerFamily(status, "jcluster_worker_connections_total", "counter",
                "Connections the balancer sent to the worker.", ClusterStatus.WorkerView::connectionsTotal);
        workerFamily(status, "jcluster_worker_requests_total", "counter",
                "Requests the worker completed, counted in http mode only: in tcp mode the balancer relays bytes and"
                        + " cannot see requests, so this stays 0 (see jcluster_worker_connections_total).",
                ClusterStatus.WorkerView::requests);
        workerFamily(status, "jcluster_worker_received_bytes_total", "counter",
                "Bytes relayed from clients to the worker.", ClusterStatus.WorkerView::bytesFromClients);
        workerFamily(status, "jcluster_worker_sent_bytes_total", "counter",
                "Bytes relayed from the worker to clients.", ClusterStatus.WorkerView::bytesToClients);
        histogram(status);
        workerFamily(status, "jcluster_worker_resident_memory_bytes", "gauge",
                "Resident memory of the worker process (VmRSS, reported by the worker every second).",
                ClusterStatus.WorkerView::residentBytes);
        workerFamily(status, "jcluster_worker_heap_used_bytes", "gauge", "Java heap in use in the worker.",
                ClusterStatus.WorkerView::heapUsedBytes);
        workerFamily(status, "jcluster_worker_gc_seconds_total", "counter", "Time the worker spent in garbage collection.",
                worker -> worker.gcMillis() < 0 ? Double.NaN : worker.gcMillis() / 1000.0);
        workerFamily(status, "jcluster_worker_threads", "gauge", "Live threads of the worker process (JVM threads included).",
                ClusterStatus.WorkerView::threads);
        workerFamily(status, "jcluster_worker_client_address_fallbacks_total", "counter",
                "Connections the worker accepted from the balancer without finding their client's address: the app saw"
                        + " 127.0.0.1 as their peer. Should stay 0.", ClusterStatus.WorkerView::clientAddressFallbacks);
    }

    void cache(ClusterStatus.CacheView cache) {
        String requests = "jcluster_cache_requests_total";
        family(requests, "counter", "Requests by what the response cache did for them: hit (served from it), miss"
                + " (a worker answered; stored if it could be), stale (a stale response served: stale-while-revalidate"
                + " or stale-if-error), revalidated (a worker confirmed a stored response with 304), bypassed (not a"
                + " GET or HEAD, or not cacheable), coalesced (waited for another request's fill of the same key).");
        sample(requests, labels("outcome", "hit"), cache.hits());
        sample(requests, labels("outcome", "miss"), cache.misses());
        sample(requests, labels("outcome", "stale"), cache.stale());
        sample(requests, labels("outcome", "revalidated"), cache.revalidated());
        sample(requests, labels("outcome", "bypassed"), cache.bypassed());
        sample(requests, labels("outcome", "coalesced"), cache.coalesced());
        family("jcluster_cache_stores_total", "counter", "Responses stored in the cache (refreshes by a 304 included).");
        sample("jcluster_cache_stores_total", "", cache.stores());
        family("jcluster_cache_evictions_total", "counter",
                "Stored responses evicted to keep the cache within cache= (W-TinyLFU).");
        sample("jcluster_cache_evictions_total", "", cache.evictions());
        family("jcluster_cache_purged_total", "counter",
                "Stored responses removed by POST /cache/purge, here or from another host over the shared store.");
        sample("jcluster_cache_purged_total", "", cache.purged());
        family("jcluster_cache_entries", "gauge", "Stored responses now (each variant of a Vary counts).");
        sample("jcluster_cache_entries", "", cache.entries());
        family("jcluster_cache_bytes", "gauge",
                "Bytes the stored responses weigh now (heads, bodies, per-entry overhead), at most jcluster_cache_max_bytes.");
        sample("jcluster_cache_bytes", "", cache.bytes());
        family("jcluster_cache_max_bytes", "gauge", "The cache's bound (cache=).");
        sample("jcluster_cache_max_bytes", "", cache.maxBytes());
    }

    private void clusterApi(ClusterStatus.ClusterApiView cluster) {
        family("jcluster_cluster_store_up", "gauge", "1 while the Cluster API's store answers, else 0.");
        sample("jcluster_cluster_store_up", labels("store", cluster.store()), cluster.storeUp() ? 1 : 0);
        family("jcluster_cluster_leader_worker", "gauge", "The worker id that holds leadership, -1 while none does.");
        sample("jcluster_cluster_leader_worker", "", cluster.leader());
        if (cluster.mapEntries() >= 0) {
            family("jcluster_cluster_map_entries", "gauge", "Entries in the shared maps (embedded store).");
            sample("jcluster_cluster_map_entries", "", cluster.mapEntries());
        }
        if (cluster.mapBytes() >= 0) {
            family("jcluster_cluster_map_bytes", "gauge",
                    "Bytes the shared maps hold, keys and values and overhead, against store-size (embedded store).");
            sample("jcluster_cluster_map_bytes", "", cluster.mapBytes());
        }
        if (cluster.mapEvictions() >= 0) {
            family("jcluster_cluster_map_evictions_total", "counter",
                    "Shared map entries evicted because the store was full (store-size).");
            sample("jcluster_cluster_map_evictions_total", "", cluster.mapEvictions());
        }
        family("jcluster_cluster_map_operations_total", "counter", "Shared map operations the workers asked for.");
        cluster.mapOperations().forEach((op, count) ->
                sample("jcluster_cluster_map_operations_total", labels("op", op), count));
        family("jcluster_cluster_messages_published_total", "counter", "Messages the workers published.");
        sample("jcluster_cluster_messages_published_total", "", cluster.messagesPublished());
        family("jcluster_cluster_messages_delivered_total", "counter",
                "Messages written to subscribing workers' control connections (one per subscribing worker).");
        sample("jcluster_cluster_messages_delivered_total", "", cluster.messagesDelivered());
        String dropped = "jcluster_cluster_messages_dropped_total";
        family(dropped, "counter", "Messages dropped: where=parent when a worker's queue in the parent was full (it"
                + " read too slowly), where=worker when its subscribers' delivery queue was full, where=store when the"
                + " store could not carry them (Redis down and its buffer full).");
        for (ClusterStatus.ClusterWorkerView worker : cluster.workers()) {
            sample(dropped, labels("where", "parent", "worker", Integer.toString(worker.id()), "pid",
                    Long.toString(worker.pid())), worker.droppedInParent());
        }
        for (ClusterStatus.ClusterWorkerView worker : cluster.workers()) {
            if (worker.droppedInWorker() >= 0) {
                sample(dropped, labels("where", "worker", "worker", Integer.toString(worker.id()), "pid",
                        Long.toString(worker.pid())), worker.droppedInWorker());
            }
        }
        sample(dropped, labels("where", "store"), cluster.droppedInStore());
        offloadFamily(cluster, "jcluster_offload_threads", "gauge", "Threads of the worker's offload pool.",
                ClusterStatus.ClusterWorkerView::offloadThreads);
        offloadFamily(cluster, "jcluster_offload_busy", "gauge", "Offload threads running a task now.",
                ClusterStatus.ClusterWorkerView::offloadBusy);
        offloadFamily(cluster, "jcluster_offload_queued", "gauge", "Offload tasks waiting for a thread.",
                ClusterStatus.ClusterWorkerView::offloadQueued);
        offloadFamily(cluster, "jcluster_offload_rejected_total", "counter",
                "Offload tasks refused because the queue was full.", ClusterStatus.ClusterWorkerView::offloadRejected);
    }

    private void offloadFamily(ClusterStatus.ClusterApiView cluster, String name, String type, String help,
                               ToDoubleFunction<ClusterStatus.ClusterWorkerView> value) {
        family(name, type, help);
        for (ClusterStatus.ClusterWorkerView worker : cluster.workers()) {
            double sample = value.applyAsDouble(worker);
            if (sample >= 0) {
                sample(name, labels("worker", Integer.toString(worker.id()), "pid", Long.toString(worker.pid())),
                        sample);
            }
        }
    }

    private void histogram(ClusterStatus status) {
        histogram("jcluster_worker_request_duration_seconds", status.workers(),
                worker -> new String[] {"worker", Integer.toString(worker.id()), "pid", Long.toString(worker.pid())},
                ClusterStatus.WorkerView::latencyBoundsSeconds, ClusterStatus.WorkerView::latencyBuckets,
                ClusterStatus.WorkerView::latencySumNanos);
    }

    /**
     * A request duration histogram, one series per item labelled by {@code labels} (name, value pairs); an item
     * without a request (tcp mode, or none yet) has none.
     */
    <T> void histogram(String name, List<T> items, Function<T, String[]> labels, Function<T, double[]> bounds,
                       Function<T, long[]> buckets, ToLongFunction<T> sumNanos) {
        family(name, "histogram", "Request durations, first request byte to last response byte (http mode only;"
                + " no samples in tcp mode).");
        for (T item : items) {
            long[] counts = buckets.apply(item);
            if (counts.length == 0 || counts[counts.length - 1] == 0) {
                continue; // no request seen (tcp mode, or none yet): nothing to plot
            }
            String[] pairs = labels.apply(item);
            double[] les = bounds.apply(item);
            for (int i = 0; i < counts.length; i++) {
                String[] withLe = Arrays.copyOf(pairs, pairs.length + 2);
                withLe[pairs.length] = "le";
                withLe[pairs.length + 1] = i < les.length ? number(les[i]) : "+Inf";
                sample(name + "_bucket", labels(withLe), counts[i]);
            }
            sample(name + "_sum", labels(pairs), sumNanos.applyAsLong(item) / 1e9);
            sample(name + "_count", labels(pairs), counts[counts.length - 1]);
        }
    }

    private void workerFamily(ClusterStatus status, String name, String type, String help,
                              ToDoubleFunction<ClusterStatus.WorkerView> value) {
        family(name, type, help);
        for (ClusterStatus.WorkerView worker : status.workers()) {
            double sample = value.applyAsDouble(worker);
            if (sample < 0 || Double.isNaN(sample)) {
                continue; // not reported (yet)
            }
            sample(name, labels("worker", Integer.toString(worker.id()), "pid", Long.toString(worker.pid())), sample);
        }
    }

    /** The run-time options' values now (a SIGHUP may change them): max-connections as a number, all as info. */
    private void settings(java.util.Map<String, String> settings) {
        String max = settings.get("max-connections");
        if (max != null) {
            family("jcluster_max_connections", "gauge", "max-connections now: client connections served at once per"
                    + " listener; 0 = no limit.");
            sample("jcluster_max_connections", "", Double.parseDouble(max));
        }
        family("jcluster_setting_info", "gauge", "The value each option that can change at run time (SIGHUP) has now,"
                + " as the options say it; always 1.");
        settings.forEach((key, value) -> sample("jcluster_setting_info", labels("option", key, "value", value), 1));
    }

    /** The access log's families ({@code access-log=}, http mode). */
    void accessLog(ClusterStatus.AccessLogView log) {
        family("jcluster_access_log_lines_total", "counter", "Access log lines written (to the file, or stdout).");
        sample("jcluster_access_log_lines_total", "", log.written());
        family("jcluster_access_log_dropped_total", "counter", "Access log lines lost: requests came faster than the"
                + " destination took them (its queue of 8,192 lines was full), or a write failed. Should stay 0.");
        sample("jcluster_access_log_dropped_total", "", log.dropped());
    }

    String text() {
        return text.toString();
    }

    void family(String name, String type, String help) {
        text.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    void sample(String name, String labels, double value) {
        text.append(name).append(labels).append(' ').append(number(value)).append('\n');
    }

    static String labels(String... pairs) {
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            labels.append(i == 0 ? "" : ",").append(pairs[i]).append("=\"")
                    .append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return labels.append('}').toString();
    }

    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }
}
