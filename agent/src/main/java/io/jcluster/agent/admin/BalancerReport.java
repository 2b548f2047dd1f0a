package io.jcluster.agent.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The standalone balancer's GET /status (JSON, or the CLI's table) and GET /metrics (Prometheus text format). */
final class BalancerReport {

    private BalancerReport() {
    }

    static String json(BalancerStatus status) {
        StatusReport.Json json = new StatusReport.Json();
        json.open('{');
        json.field("uptimeMillis", status.uptimeMillis());
        json.field("strategy", status.strategy());
        json.field("mode", status.mode());
        json.field("transport", status.transport());
        json.field("ready", status.ready());
        json.field("stopping", status.stopping());
        json.key("listeners").open('[');
        for (ClusterStatus.ListenerView listener : status.listeners()) {
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
        json.key("backends").open('[');
        for (BalancerStatus.BackendView backend : status.backends()) {
            json.open('{');
            json.field("address", backend.address());
            json.field("state", backend.state());
            json.field("openConnections", backend.openConnections());
            json.field("connectionsTotal", backend.connectionsTotal());
            json.field("requests", backend.requests());
            json.field("bytesFromClients", backend.bytesFromClients());
            json.field("bytesToClients", backend.bytesToClients());
            json.close('}');
        }
        json.close(']');
        json.close('}');
        return json.text() + "\n";
    }

    static String table(BalancerStatus status) {
        boolean http = status.mode().equals("http");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"backend", "state", "conns", http ? "reqs" : "conns-total", "in", "out"});
        for (BalancerStatus.BackendView backend : status.backends()) {
            rows.add(new String[] {backend.address(), backend.state(), Long.toString(backend.openConnections()),
                    Long.toString(http ? backend.requests() : backend.connectionsTotal()),
                    StatusReport.size(backend.bytesFromClients()), StatusReport.size(backend.bytesToClients())});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        List<String> listeners = new ArrayList<>();
        status.listeners().forEach(listener -> listeners.add(listener.address()));
        StringBuilder text = new StringBuilder("jcluster balance: up ").append(StatusReport.duration(status.uptimeMillis()))
                .append(", ").append(status.mode()).append(" mode, ").append(status.strategy()).append(", listening on ")
                .append(listeners.isEmpty() ? "nothing" : String.join(" ", listeners)).append(", ")
                .append(status.stopping() ? "stopping" : status.ready() ? "ready" : "NOT READY (no backend in rotation)")
                .append('\n');
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String spaces = " ".repeat(widths[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(i >= 2 ? spaces + row[i] : row[i] + spaces);
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        if (!http) {
            text.append("(tcp mode: the balancer sees connections, not requests)\n");
        }
        return text.toString();
    }

    static String metrics(BalancerStatus status) {
        Metrics out = new Metrics();
        out.family("jcluster_uptime_seconds", "gauge", "Seconds since the balancer started.");
        out.sample("jcluster_uptime_seconds", "", status.uptimeMillis() / 1000.0);
        out.family("jcluster_ready", "gauge", "1 while at least one backend is in rotation and no stop was asked"
                + " (what GET /ready answers 200 for), else 0.");
        out.sample("jcluster_ready", "", status.ready() ? 1 : 0);
        out.family("jcluster_backends", "gauge", "Backends by state (ready: in rotation; down: refused a connection,"
                + " probed until it accepts; draining: drained on request; removing: draining, then forgotten).");
        for (String state : BalancerStatus.STATES) {
            out.sample("jcluster_backends", labels("state", state), status.count(state));
        }
        out.listener(status, "jcluster_listener_connections_total", "counter",
                "Client connections accepted on the listener.", ClusterStatus.ListenerView::connectionsTotal);
        out.listener(status, "jcluster_listener_open_connections", "gauge",
                "Client connections open on the listener now.", ClusterStatus.ListenerView::openConnections);
        out.listener(status, "jcluster_listener_refused_connections_total", "counter",
                "Client connections closed at once because no backend was in rotation.",
                ClusterStatus.ListenerView::refusedTotal);
        out.listener(status, "jcluster_listener_received_bytes_total", "counter", "Bytes received from clients.",
                ClusterStatus.ListenerView::bytesFromClients);
        out.listener(status, "jcluster_listener_sent_bytes_total", "counter", "Bytes sent to clients.",
                ClusterStatus.ListenerView::bytesToClients);
        out.listener(status, "jcluster_listener_queue_length", "gauge",
                "Requests waiting for a connection slot (http mode with max-connections; always 0 in tcp mode).",
                ClusterStatus.ListenerView::queueLength);
        out.family("jcluster_backend_info", "gauge", "1 for each backend, labelled with its address and state.");
        for (BalancerStatus.BackendView backend : status.backends()) {
            out.sample("jcluster_backend_info", labels("backend", backend.address(), "state", backend.state()), 1);
        }
        out.backend(status, "jcluster_backend_open_connections", "gauge",
                "Connections open to the backend now (http mode: requests in flight).",
                BalancerStatus.BackendView::openConnections);
        out.backend(status, "jcluster_backend_connections_total", "counter",
                "Connections sent to the backend (http mode: requests).", BalancerStatus.BackendView::connectionsTotal);
        out.backend(status, "jcluster_backend_requests_total", "counter", "Requests the backend completed, counted"
                + " in http mode only: in tcp mode the balancer relays bytes and cannot see requests, so this stays 0.",
                BalancerStatus.BackendView::requests);
        out.backend(status, "jcluster_backend_received_bytes_total", "counter", "Bytes relayed from clients to the"
                + " backend.", BalancerStatus.BackendView::bytesFromClients);
        out.backend(status, "jcluster_backend_sent_bytes_total", "counter", "Bytes relayed from the backend to"
                + " clients.", BalancerStatus.BackendView::bytesToClients);
        out.histogram(status);
        return out.text.toString();
    }

    private static String labels(String... pairs) {
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            labels.append(i == 0 ? "" : ",").append(pairs[i]).append("=\"")
                    .append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return labels.append('}').toString();
    }

    /** The Prometheus text exposition format (version 0.0.4), as {@link MetricsText} writes it. */
    private static final class Metrics {
        private final StringBuilder text = new StringBuilder(4096);

        void family(String name, String type, String help) {
            text.append("# HELP ").append(name).append(' ').append(help).append('\n');
            text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }

        void sample(String name, String labels, double value) {
            text.append(name).append(labels).append(' ').append(number(value)).append('\n');
        }

        void listener(BalancerStatus status, String name, String type, String help,
                      ToDoubleFunction<ClusterStatus.ListenerView> value) {
            family(name, type, help);
            for (ClusterStatus.ListenerView listener : status.listeners()) {
                sample(name, labels("listener", listener.address()), value.applyAsDouble(listener));
            }
        }

        void backend(BalancerStatus status, String name, String type, String help,
                     ToDoubleFunction<BalancerStatus.BackendView> value) {
            family(name, type, help);
            for (BalancerStatus.BackendView backend : status.backends()) {
                sample(name, labels("backend", backend.address()), value.applyAsDouble(backend));
            }
        }

        void histogram(BalancerStatus status) {
            String name = "jcluster_backend_request_duration_seconds";
            family(name, "histogram", "Request durations, first request byte to last response byte (http mode only;"
                    + " no samples in tcp mode).");
            for (BalancerStatus.BackendView backend : status.backends()) {
                long[] buckets = backend.latencyBuckets();
                if (buckets.length == 0 || buckets[buckets.length - 1] == 0) {
                    continue; // no request seen (tcp mode, or none yet)
                }
                double[] bounds = backend.latencyBoundsSeconds();
                for (int i = 0; i < buckets.length; i++) {
                    sample(name + "_bucket", labels("backend", backend.address(), "le",
                            i < bounds.length ? number(bounds[i]) : "+Inf"), buckets[i]);
                }
                sample(name + "_sum", labels("backend", backend.address()), backend.latencySumNanos() / 1e9);
                sample(name + "_count", labels("backend", backend.address()), buckets[buckets.length - 1]);
            }
        }

        private static String number(double value) {
            if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                return Long.toString((long) value);
            }
            return String.format(Locale.ROOT, "%s", value);
        }
    }
}
