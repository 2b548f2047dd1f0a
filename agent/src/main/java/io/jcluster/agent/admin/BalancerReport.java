package io.jcluster.agent.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The standalone balancer's GET /status (JSON, or the CLI's table) and GET /metrics (Prometheus text format): its
 * backends, and the parts it shares with the agent's ({@link StatusReport}, {@link MetricsText}) written by them.
 */
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
        StatusReport.listeners(json, status.listeners());
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
        if (status.cache() != null) {
            StatusReport.cache(json, status.cache());
        }
        if (status.accessLog() != null) {
            StatusReport.accessLog(json, status.accessLog());
        }
        json.close('}');
        return json.text() + "\n";
    }

    static String table(BalancerStatus status) {
        boolean http = !status.mode().equals("tcp"); // grpc counts calls as http counts requests
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"backend", "state", "conns", http ? "reqs" : "conns-total", "in", "out"});
        for (BalancerStatus.BackendView backend : status.backends()) {
            rows.add(new String[] {backend.address(), backend.state(), Long.toString(backend.openConnections()),
                    Long.toString(http ? backend.requests() : backend.connectionsTotal()),
                    StatusReport.size(backend.bytesFromClients()), StatusReport.size(backend.bytesToClients())});
        }
        List<String> listeners = new ArrayList<>();
        status.listeners().forEach(listener -> listeners.add(listener.address()));
        StringBuilder text = new StringBuilder("jcluster balance: up ").append(StatusReport.duration(status.uptimeMillis()))
                .append(", ").append(status.mode()).append(" mode, ").append(status.strategy()).append(", listening on ")
                .append(listeners.isEmpty() ? "nothing" : String.join(" ", listeners)).append(", ")
                .append(status.stopping() ? "stopping" : status.ready() ? "ready" : "NOT READY (no backend in rotation)")
                .append('\n');
        StatusReport.rows(text, rows, column -> column >= 2);
        if (!http) {
            text.append("(tcp mode: the balancer sees connections, not requests)\n");
        }
        StatusReport.cacheLine(text, status.cache());
        StatusReport.accessLogLine(text, status.accessLog());
        return text.toString();
    }

    static String metrics(BalancerStatus status) {
        MetricsText out = new MetricsText();
        out.family("jcluster_uptime_seconds", "gauge", "Seconds since the balancer started.");
        out.sample("jcluster_uptime_seconds", "", status.uptimeMillis() / 1000.0);
        out.family("jcluster_ready", "gauge", "1 while at least one backend is in rotation and no stop was asked"
                + " (what GET /ready answers 200 for), else 0.");
        out.sample("jcluster_ready", "", status.ready() ? 1 : 0);
        out.family("jcluster_backends", "gauge", "Backends by state (ready: in rotation; down: refused a connection,"
                + " probed until it accepts; draining: drained on request; removing: draining, then forgotten).");
        for (String state : BalancerStatus.STATES) {
            out.sample("jcluster_backends", MetricsText.labels("state", state), status.count(state));
        }
        out.listeners(status.listeners(), "backend");
        out.family("jcluster_backend_info", "gauge", "1 for each backend, labelled with its address and state.");
        for (BalancerStatus.BackendView backend : status.backends()) {
            out.sample("jcluster_backend_info", MetricsText.labels("backend", backend.address(), "state",
                    backend.state()), 1);
        }
        backendFamily(out, status, "jcluster_backend_open_connections", "gauge",
                "Connections open to the backend now (http mode: requests in flight).",
                BalancerStatus.BackendView::openConnections);
        backendFamily(out, status, "jcluster_backend_connections_total", "counter",
                "Connections sent to the backend (http mode: requests).", BalancerStatus.BackendView::connectionsTotal);
        backendFamily(out, status, "jcluster_backend_requests_total", "counter", "Requests the backend completed,"
                + " counted in http mode only: in tcp mode the balancer relays bytes and cannot see requests, so this"
                + " stays 0.", BalancerStatus.BackendView::requests);
        backendFamily(out, status, "jcluster_backend_received_bytes_total", "counter", "Bytes relayed from clients"
                + " to the backend.", BalancerStatus.BackendView::bytesFromClients);
        backendFamily(out, status, "jcluster_backend_sent_bytes_total", "counter", "Bytes relayed from the backend"
                + " to clients.", BalancerStatus.BackendView::bytesToClients);
        out.histogram("jcluster_backend_request_duration_seconds", status.backends(),
                backend -> new String[] {"backend", backend.address()},
                BalancerStatus.BackendView::latencyBoundsSeconds, BalancerStatus.BackendView::latencyBuckets,
                BalancerStatus.BackendView::latencySumNanos);
        if (status.cache() != null) {
            out.cache(status.cache());
        }
        if (status.accessLog() != null) {
            out.accessLog(status.accessLog());
        }
        return out.text();
    }

    private static void backendFamily(MetricsText out, BalancerStatus status, String name, String type, String help,
                                      ToDoubleFunction<BalancerStatus.BackendView> value) {
        out.family(name, type, help);
        for (BalancerStatus.BackendView backend : status.backends()) {
            out.sample(name, MetricsText.labels("backend", backend.address()), value.applyAsDouble(backend));
        }
    }
}
