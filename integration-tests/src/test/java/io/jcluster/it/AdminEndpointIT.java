package io.jcluster.it;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin endpoint and the CLI: token, status, metrics (parsed by a real Prometheus parser), restart, errors. */
@Timeout(180)
class AdminEndpointIT {

    /** One JDK: the admin endpoint and the CLI are jcluster's own code, the same on every JDK and transport. */
    @Test
    void tokenStatusMetricsRestartAndTheCli() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        String token = "s3cret-token";
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,admin=127.0.0.1:" + adminPort + ",admin-token=" + token)
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());

            // no token, a wrong token: 401, for every endpoint
            Admin anonymous = new Admin(adminPort, null);
            assertEquals(401, anonymous.get("/status").status());
            assertEquals(401, anonymous.get("/metrics").status());
            assertEquals(401, anonymous.post("/reload").status());
            assertEquals(401, new Admin(adminPort, "wrong").get("/status").status());
            Admin admin = new Admin(adminPort, token);
            assertEquals(List.of("ready", "ready"), admin.states());

            for (int i = 0; i < 20; i++) {
                assertEquals(200, Http.fresh(port, "/").status());
            }
            cluster.await(() -> {
                try {
                    return admin.get("/status").body().contains("\"residentBytes\":") && !admin.get("/status").body()
                            .contains("\"residentBytes\":-1");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }, "both workers' first resource report", Duration.ofSeconds(10));

            Admin.Reply metrics = admin.get("/metrics");
            assertEquals(200, metrics.status());
            Map<String, MetricFamily> families = parse(metrics.body());
            MetricFamily connections = families.get("jcluster_listener_connections_total");
            assertEquals(MetricType.COUNTER, connections.getType());
            assertEquals("0.0.0.0:" + port, connections.getMetrics().get(0).getLabels().get("listener"));
            assertTrue(((Counter) connections.getMetrics().get(0)).getValue() >= 20, metrics.body());
            double perWorker = 0;
            for (Metric metric : families.get("jcluster_worker_connections_total").getMetrics()) {
                perWorker += ((Counter) metric).getValue();
            }
            assertTrue(perWorker >= 20, "per-worker connections add up: " + perWorker);
            assertTrue(((Counter) families.get("jcluster_listener_received_bytes_total").getMetrics().get(0)).getValue() > 0);
            List<Metric> rss = families.get("jcluster_worker_resident_memory_bytes").getMetrics();
            assertEquals(2, rss.size(), metrics.body());
            for (Metric metric : rss) {
                assertTrue(((Gauge) metric).getValue() > 10 * 1024 * 1024, "a worker's RSS: " + metric);
            }
            MetricFamily durations = families.get("jcluster_worker_request_duration_seconds");
            assertEquals(MetricType.HISTOGRAM, durations.getType());
            assertEquals(List.of(), durations.getMetrics(), "tcp mode sees no request: the histogram has no sample");
            assertEquals(2, families.get("jcluster_worker_threads").getMetrics().size());
            assertTrue(families.get("jcluster_worker_requests_total").getHelp().contains("tcp mode"));

            // the CLI: a table; without the token, a clear refusal; a wrong address, unreachable
            Admin.CliRun table = Admin.cli(jdk, "status", "--admin", "127.0.0.1:" + adminPort, "--token", token);
            System.out.println("[it] " + jdk + ": jcluster status:\n" + table.stdout());
            assertEquals(0, table.exitStatus(), table.toString());
            assertTrue(table.stdout().contains("id") && table.stdout().contains("conns") && table.stdout().contains("rss"),
                    table.stdout());
            for (long pid : workers.values()) {
                assertTrue(table.stdout().matches("(?s).*\\n\\d+\\s+" + pid + "\\s+ready\\s.*"), table.stdout());
            }
            Admin.CliRun refused = Admin.cli(jdk, "status", "--admin", "127.0.0.1:" + adminPort);
            assertEquals(1, refused.exitStatus(), refused.toString());
            assertTrue(refused.stderr().contains("wants its admin-token"), refused.stderr());
            int nothing = FreePorts.tcp();
            Admin.CliRun unreachable = Admin.cli(jdk, "status", "--admin", "127.0.0.1:" + nothing);
            assertEquals(1, unreachable.exitStatus(), unreachable.toString());
            assertTrue(unreachable.stderr().startsWith("jcluster: cannot reach the admin endpoint at 127.0.0.1:" + nothing),
                    unreachable.stderr());

            // restart one worker by id, through the CLI; a bad id is refused
            Admin.CliRun restart = Admin.cli(jdk, "restart", "1", "--admin", "127.0.0.1:" + adminPort, "--token", token);
            assertEquals(0, restart.exitStatus(), restart + "\n" + cluster.describe());
            assertTrue(restart.stdout().startsWith("worker 1 pid " + workers.get(1) + " -> "), restart.stdout());
            assertEquals(workers.get(0), cluster.workerPid(0), "worker 0 was left alone");
            assertNotEquals(workers.get(1), cluster.workerPid(1));
            Admin.Reply noSuch = admin.post("/restart?worker=7");
            assertEquals(500, noSuch.status());
            assertTrue(noSuch.body().startsWith("no worker 7"), noSuch.body());
            assertEquals(400, admin.post("/scale?processes=zero").status());
            assertEquals(405, admin.get("/reload").status());
            assertEquals(List.of("ready", "ready"), admin.states());
        }
    }

    /** One JDK, as above (Temurin 25 here, JDK 17 above). */
    @Test
    void aNonLoopbackAdminAddressWithoutTokenIsRefusedAtStart() throws Exception {
        Jdk jdk = Jdk.temurin25();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=1,admin=0.0.0.0:" + adminPort)
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            assertEquals(2, cluster.awaitExit(Duration.ofSeconds(30)), cluster.describe());
            assertEquals(List.of("jcluster: admin=0.0.0.0:" + adminPort + ": a non-loopback admin address needs a"
                    + " token: admin-token-file=PATH, env JCLUSTER_ADMIN_TOKEN or admin-token=<secret> (whoever"
                    + " reaches it can reload, scale and restart workers)"),
                    cluster.stderr(), cluster.describe());
            assertTrue(cluster.workerPids().isEmpty(), "no worker was started");
        }
    }

    static Map<String, MetricFamily> parse(String text) throws IOException {
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        MetricFamily family;
        while ((family = parser.parse()) != null) {
            families.put(family.getName(), family);
        }
        assertTrue(families.size() >= 20, "parsed " + families.keySet());
        return families;
    }
}
