package io.jcluster.agent.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/** GET /status: the cluster as JSON, or (format=table, what the CLI prints) as a table like {@code pm2 ls}. */
final class StatusReport {

    private StatusReport() {
    }

    static String json(ClusterStatus status) {
        Json json = new Json();
        json.open('{');
        json.field("uptimeMillis", status.uptimeMillis());
        json.field("strategy", status.strategy());
        json.field("mode", status.mode());
        json.field("transport", status.transport());
        listeners(json, status.listeners());
        json.key("workers").open('[');
        for (ClusterStatus.WorkerView worker : status.workers()) {
            json.open('{');
            json.field("id", worker.id());
            json.field("pid", worker.pid());
            json.field("state", worker.state());
            json.field("uptimeMillis", worker.uptimeMillis());
            json.field("restarts", worker.restarts());
            json.key("recycles").open('{');
            json.field("maxRequests", worker.recycledForRequests());
            json.field("maxAge", worker.recycledForAge());
            json.close('}');
            json.key("lastExitStatus").value(worker.lastExitStatus() == null ? null : worker.lastExitStatus().longValue());
            json.field("openConnections", worker.openConnections());
            json.field("connectionsTotal", worker.connectionsTotal());
            json.field("requests", worker.requests());
            json.field("bytesFromClients", worker.bytesFromClients());
            json.field("bytesToClients", worker.bytesToClients());
            json.field("residentBytes", worker.residentBytes());
            json.field("heapUsedBytes", worker.heapUsedBytes());
            json.field("gcMillis", worker.gcMillis());
            json.field("threads", worker.threads());
            json.close('}');
        }
        json.close(']');
        if (status.cluster() != null) {
            cluster(json, status.cluster());
        }
        if (status.sessions() != null) {
            sessions(json, status.sessions());
        }
        if (status.cache() != null) {
            cache(json, status.cache());
        }
        if (status.accessLog() != null) {
            accessLog(json, status.accessLog());
        }
        if (status.settings() != null) {
            json.key("settings").open('{');
            status.settings().forEach(json::field);
            json.close('}');
        }
        json.close('}');
        return json.text() + "\n";
    }

    static void listeners(Json json, List<ClusterStatus.ListenerView> listeners) {
        json.key("listeners").open('[');
        for (ClusterStatus.ListenerView listener : listeners) {
            json.open('{');
            json.field("address", listener.address());
            json.field("connectionsTotal", listener.connectionsTotal());
            json.field("openConnections", listener.openConnections());
            json.field("refusedTotal", listener.refusedTotal());
            json.field("bytesFromClients", listener.bytesFromClients());
            json.field("bytesToClients", listener.bytesToClients());
            json.field("queueLength", listener.queueLength());
            json.close('}');
        }
        json.close(']');
    }

    static void accessLog(Json json, ClusterStatus.AccessLogView log) {
        json.key("accessLog").open('{');
        json.field("target", log.target());
        json.field("written", log.written());
        json.field("dropped", log.dropped());
        json.close('}');
    }

    private static void sessions(Json json, ClusterStatus.SessionsView sessions) {
        json.key("sessions").open('{');
        json.field("stored", sessions.stored());
        json.field("reads", sessions.reads());
        json.field("readBytes", sessions.readBytes());
        json.field("writes", sessions.writes());
        json.field("writeBytes", sessions.writeBytes());
        json.field("removes", sessions.removes());
        json.field("keptLocal", sessions.keptLocal());
        json.field("storeFailures", sessions.storeFailures());
        json.field("evictions", sessions.evictions());
        json.close('}');
    }

    static void cache(Json json, ClusterStatus.CacheView cache) {
        json.key("cache").open('{');
        json.field("hits", cache.hits());
        json.field("misses", cache.misses());
        json.field("stale", cache.stale());
        json.field("revalidated", cache.revalidated());
        json.field("bypassed", cache.bypassed());
        json.field("coalesced", cache.coalesced());
        json.field("stores", cache.stores());
        json.field("evictions", cache.evictions());
        json.field("purged", cache.purged());
        json.field("entries", cache.entries());
        json.field("bytes", cache.bytes());
        json.field("maxBytes", cache.maxBytes());
        json.close('}');
    }

    private static void cluster(Json json, ClusterStatus.ClusterApiView cluster) {
        json.key("cluster").open('{');
        json.field("store", cluster.store());
        json.field("storeUp", cluster.storeUp());
        json.field("storeDetail", cluster.storeDetail());
        json.field("leader", cluster.leader());
        json.key("map").open('{');
        json.field("entries", cluster.mapEntries());
        json.field("bytes", cluster.mapBytes());
        json.field("evictions", cluster.mapEvictions());
        json.key("operations").open('{');
        cluster.mapOperations().forEach(json::field);
        json.close('}');
        json.close('}');
        json.key("messages").open('{');
        json.field("published", cluster.messagesPublished());
        json.field("delivered", cluster.messagesDelivered());
        json.key("dropped").open('{');
        json.field("parent", cluster.droppedInParent());
        json.field("worker", cluster.workers().stream().mapToLong(worker -> Math.max(0, worker.droppedInWorker()))
                .sum());
        json.field("store", cluster.droppedInStore());
        json.close('}');
        json.close('}');
        json.key("workers").open('[');
        for (ClusterStatus.ClusterWorkerView worker : cluster.workers()) {
            json.open('{');
            json.field("id", worker.id());
            json.field("pid", worker.pid());
            json.field("offloadThreads", worker.offloadThreads());
            json.field("offloadBusy", worker.offloadBusy());
            json.field("offloadQueued", worker.offloadQueued());
            json.field("offloadRejected", worker.offloadRejected());
            json.field("droppedInParent", worker.droppedInParent());
            json.field("droppedInWorker", worker.droppedInWorker());
            json.close('}');
        }
        json.close(']');
        json.close('}');
    }

    static String table(ClusterStatus status) {
        boolean http = !status.mode().equals("tcp"); // grpc counts calls as http counts requests
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", "pid", "state", "uptime", "restarts", "conns", http ? "reqs" : "conns-total",
                "rss", "heap"});
        for (ClusterStatus.WorkerView worker : status.workers()) {
            rows.add(new String[] {
                    Integer.toString(worker.id()), Long.toString(worker.pid()), worker.state(),
                    duration(worker.uptimeMillis()), Integer.toString(worker.restarts()),
                    Long.toString(worker.openConnections()),
                    Long.toString(http ? worker.requests() : worker.connectionsTotal()),
                    size(worker.residentBytes()), size(worker.heapUsedBytes())});
        }
        StringBuilder text = new StringBuilder();
        List<String> listeners = new ArrayList<>();
        status.listeners().forEach(listener -> listeners.add(listener.address()));
        text.append("jcluster: up ").append(duration(status.uptimeMillis())).append(", ")
                .append(status.mode()).append(" mode, ").append(status.strategy()).append(", listening on ")
                .append(listeners.isEmpty() ? "nothing yet" : String.join(" ", listeners)).append('\n');
        rows(text, rows, column -> column == 1 || column >= 4);
        if (!http) {
            text.append("(tcp mode: the balancer sees connections, not requests)\n");
        }
        ClusterStatus.ClusterApiView cluster = status.cluster();
        if (cluster != null) {
            long dropped = cluster.droppedInParent() + cluster.droppedInStore() + cluster.workers().stream()
                    .mapToLong(worker -> Math.max(0, worker.droppedInWorker())).sum();
            text.append("cluster API: store ").append(cluster.store()).append(cluster.storeUp() ? " (up)"
                            : " (DOWN: " + cluster.storeDetail() + ")")
                    .append(", leader ").append(cluster.leader() < 0 ? "none" : "worker " + cluster.leader())
                    .append(", maps ").append(cluster.mapEntries() < 0 ? "-" : Long.toString(cluster.mapEntries()))
                    .append(" entries, messages ").append(cluster.messagesPublished()).append(" published / ")
                    .append(cluster.messagesDelivered()).append(" delivered / ").append(dropped).append(" dropped\n");
        }
        ClusterStatus.SessionsView sessions = status.sessions();
        if (sessions != null) {
            text.append("sessions: ").append(sessions.stored() < 0 ? "-" : Long.toString(sessions.stored()))
                    .append(" stored, ").append(sessions.reads()).append(" reads (").append(size(sessions.readBytes()))
                    .append(") / ").append(sessions.writes()).append(" writes (").append(size(sessions.writeBytes()))
                    .append(") / ").append(sessions.removes()).append(" removed, ").append(sessions.keptLocal())
                    .append(" kept local, ").append(sessions.storeFailures()).append(" store failures, ")
                    .append(sessions.evictions() < 0 ? "-" : Long.toString(sessions.evictions()))
                    .append(" evicted\n");
        }
        cacheLine(text, status.cache());
        accessLogLine(text, status.accessLog());
        return text.toString();
    }

    /** The table's rows in columns as wide as their widest cell; a right-aligned column's cells end together. */
    static void rows(StringBuilder text, List<String[]> rows, IntPredicate rightAligned) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? "" : "  ").append(pad(row[i], widths[i], rightAligned.test(i)));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** The table's cache: line, when there is a cache. */
    static void cacheLine(StringBuilder text, ClusterStatus.CacheView cache) {
        if (cache != null) {
            long asked = cache.hits() + cache.misses() + cache.stale() + cache.revalidated() + cache.coalesced();
            text.append("cache: ").append(size(cache.bytes())).append(" of ").append(size(cache.maxBytes()))
                    .append(", ").append(cache.entries()).append(" responses, hits ").append(cache.hits())
                    .append(asked == 0 ? "" : String.format(Locale.ROOT, " (%.0f%%)", 100.0 * cache.hits() / asked))
                    .append(", misses ").append(cache.misses()).append(", evictions ").append(cache.evictions())
                    .append('\n');
        }
    }

    /** The table's access log: line, when there is an access log. */
    static void accessLogLine(StringBuilder text, ClusterStatus.AccessLogView log) {
        if (log != null) {
            text.append("access log: ").append(log.target()).append(", ").append(log.written()).append(" lines, ")
                    .append(log.dropped()).append(" dropped").append(log.dropped() > 0
                            ? " (requests came faster than it took them, or writes failed)" : "").append('\n');
        }
    }

    private static String pad(String cell, int width, boolean right) {
        String spaces = " ".repeat(width - cell.length());
        return right ? spaces + cell : cell + spaces;
    }

    static String duration(long millis) {
        if (millis < 0) {
            return "-";
        }
        long seconds = millis / 1000;
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60) + "s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h" + (seconds % 3600) / 60 + "m";
        }
        return seconds / 86400 + "d" + (seconds % 86400) / 3600 + "h";
    }

    static String size(long bytes) {
        if (bytes < 0) {
            return "-";
        }
        double mib = bytes / (1024.0 * 1024.0);
        return mib >= 1024 ? String.format(Locale.ROOT, "%.1fG", mib / 1024) : String.format(Locale.ROOT, "%.1fM", mib);
    }

    /** Just enough JSON writing for the status document. */
    static final class Json {
        private final StringBuilder text = new StringBuilder();
        private boolean needComma;

        Json open(char bracket) {
            comma();
            text.append(bracket);
            needComma = false;
            return this;
        }

        void close(char bracket) {
            text.append(bracket);
            needComma = true;
        }

        Json key(String name) {
            comma();
            string(name);
            text.append(':');
            needComma = false;
            return this;
        }

        void field(String name, long value) {
            key(name).value(value);
        }

        void field(String name, boolean value) {
            key(name);
            text.append(value);
            needComma = true;
        }

        void field(String name, String value) {
            key(name);
            string(value);
            needComma = true;
        }

        void value(Long value) {
            comma();
            text.append(value == null ? "null" : value.toString());
            needComma = true;
        }

        private void comma() {
            if (needComma) {
                text.append(',');
            }
        }

        private void string(String value) {
            text.append('"');
            for (char c : value.toCharArray()) {
                switch (c) {
                    case '"' -> text.append("\\\"");
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            text.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            text.append(c);
                        }
                    }
                }
            }
            text.append('"');
        }

        String text() {
            return text.toString();
        }
    }
}
