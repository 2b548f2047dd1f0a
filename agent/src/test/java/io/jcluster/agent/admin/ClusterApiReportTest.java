package io.jcluster.agent.admin;

import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Cluster API's part of /status and /metrics. */
class ClusterApiReportTest {

    private static ClusterStatus status(ClusterStatus.ClusterApiView cluster) {
        return new ClusterStatus(1000, "least-connections", "http", "epoll", List.of(), List.of(), cluster);
    }

    private static ClusterStatus.ClusterApiView cluster(long entries, long bytes) {
        Map<String, Long> operations = new LinkedHashMap<>();
        operations.put("get", 7L);
        operations.put("increment", 3L);
        return new ClusterStatus.ClusterApiView("redis://127.0.0.1:6379/0", false, "connection refused", entries,
                bytes, 2, operations, 40, 75, 5, 1, 1, List.of(
                new ClusterStatus.ClusterWorkerView(0, 4242, 2, 1, 3, 9, 0, 0),
                new ClusterStatus.ClusterWorkerView(1, 4343, -1, -1, -1, -1, 5, -1)));
    }

    @Test
    void metricsNameEveryClusterFactAndParse() throws IOException {
        String text = MetricsText.render(status(cluster(12, 3000)));
        Map<String, MetricFamily> families = MetricsTextTest.parse(text);

        Metric up = families.get("jcluster_cluster_store_up").getMetrics().get(0);
        assertEquals(0.0, ((Gauge) up).getValue());
        assertEquals("redis://127.0.0.1:6379/0", up.getLabels().get("store"));
        assertEquals(1.0, gauge(families, "jcluster_cluster_leader_worker"));
        assertEquals(12.0, gauge(families, "jcluster_cluster_map_entries"));
        assertEquals(3000.0, gauge(families, "jcluster_cluster_map_bytes"));
        assertEquals(2.0, counter(families, "jcluster_cluster_map_evictions_total", Map.of()));
        assertEquals(7.0, counter(families, "jcluster_cluster_map_operations_total", Map.of("op", "get")));
        assertEquals(3.0, counter(families, "jcluster_cluster_map_operations_total", Map.of("op", "increment")));
        assertEquals(40.0, counter(families, "jcluster_cluster_messages_published_total", Map.of()));
        assertEquals(75.0, counter(families, "jcluster_cluster_messages_delivered_total", Map.of()));
        String dropped = "jcluster_cluster_messages_dropped_total";
        assertEquals(5.0, counter(families, dropped, Map.of("where", "parent", "worker", "1")));
        assertEquals(0.0, counter(families, dropped, Map.of("where", "worker", "worker", "0")));
        assertEquals(1.0, counter(families, dropped, Map.of("where", "store")));
        assertFalse(text.contains("jcluster_cluster_messages_dropped_total{where=\"worker\",worker=\"1\""),
                "a worker that has not reported yet has no sample");
        assertEquals(2.0, gauge(families, "jcluster_offload_threads"));
        assertEquals(1.0, gauge(families, "jcluster_offload_busy"));
        assertEquals(3.0, gauge(families, "jcluster_offload_queued"));
        assertEquals(9.0, counter(families, "jcluster_offload_rejected_total", Map.of("worker", "0")));
        assertEquals(1, families.get("jcluster_offload_threads").getMetrics().size(), "worker 1 has not reported");
    }

    @Test
    void aStoreThatDoesNotCountItsEntriesShowsNoMapSizeSamples() throws IOException {
        Map<String, MetricFamily> families = MetricsTextTest.parse(MetricsText.render(status(cluster(-1, -1))));
        assertNull(families.get("jcluster_cluster_map_entries"));
        assertNull(families.get("jcluster_cluster_map_bytes"));
        assertTrue(families.containsKey("jcluster_cluster_map_operations_total"));
    }

    @Test
    void withoutTheClusterApiNothingOfItIsShown() throws IOException {
        ClusterStatus none = new ClusterStatus(1000, "least-connections", "http", "epoll", List.of(), List.of());
        assertFalse(MetricsText.render(none).contains("jcluster_cluster_"));
        assertFalse(StatusReport.json(none).contains("\"cluster\""));
    }

    @Test
    void statusJsonHasAClusterObject() {
        String json = StatusReport.json(status(cluster(12, 3000)));
        assertTrue(json.contains("\"cluster\":{\"store\":\"redis://127.0.0.1:6379/0\",\"storeUp\":false,"
                + "\"storeDetail\":\"connection refused\",\"leader\":1,"
                + "\"map\":{\"entries\":12,\"bytes\":3000,\"evictions\":2,\"operations\":{\"get\":7,\"increment\":3}},"
                + "\"messages\":{\"published\":40,\"delivered\":75,"
                + "\"dropped\":{\"parent\":5,\"worker\":0,\"store\":1}},"
                + "\"workers\":[{\"id\":0,\"pid\":4242,\"offloadThreads\":2,\"offloadBusy\":1,\"offloadQueued\":3,"
                + "\"offloadRejected\":9,\"droppedInParent\":0,\"droppedInWorker\":0},"
                + "{\"id\":1,\"pid\":4343,\"offloadThreads\":-1,\"offloadBusy\":-1,\"offloadQueued\":-1,"
                + "\"offloadRejected\":-1,\"droppedInParent\":5,\"droppedInWorker\":-1}]}}"), json);
    }

    @Test
    void theTableEndsWithAClusterLine() {
        String table = StatusReport.table(status(cluster(12, 3000)));
        assertTrue(table.endsWith("cluster API: store redis://127.0.0.1:6379/0 (DOWN: connection refused), leader"
                + " worker 1, maps 12 entries, messages 40 published / 75 delivered / 6 dropped\n"), table);
    }

    private static double gauge(Map<String, MetricFamily> families, String name) {
        return ((Gauge) families.get(name).getMetrics().get(0)).getValue();
    }

    private static double counter(Map<String, MetricFamily> families, String name, Map<String, String> labels) {
        for (Metric metric : families.get(name).getMetrics()) {
            if (metric.getLabels().entrySet().containsAll(labels.entrySet())) {
                return ((Counter) metric).getValue();
            }
        }
        throw new AssertionError("no " + name + " with " + labels);
    }
}
