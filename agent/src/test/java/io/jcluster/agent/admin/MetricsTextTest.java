package io.jcluster.agent.admin;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.LatencyHistogram;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /metrics as a Prometheus parser that is not ours reads it, with requests recorded as http mode records them. */
class MetricsTextTest {

    @Test
    void requestDurationsBecomeACumulativeHistogramThatParses() throws IOException {
        Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 40000));
        backend.requestCompleted(300_000);        // 0.3 ms: the first bucket (<= 0.5 ms)
        backend.requestCompleted(3_000_000);      // 3 ms: <= 5 ms
        backend.requestCompleted(3_000_000);
        backend.requestCompleted(20_000_000_000L); // 20 s: only +Inf
        LatencyHistogram latency = backend.requests();
        ClusterStatus status = new ClusterStatus(1234, "least-connections", "http", "epoll",
                List.of(new ClusterStatus.ListenerView("0.0.0.0:8080", 10, 2, 0, 100, 2000, 0)),
                List.of(new ClusterStatus.WorkerView(0, 4242, "ready", 1000, 0, null, 2, 10, latency.count(), 100,
                        2000, 50 << 20, 10 << 20, 12, 20, LatencyHistogram.boundsSeconds(), latency.cumulativeCounts(),
                        latency.sumNanos(), 3)));

        String text = MetricsText.render(status);
        Map<String, MetricFamily> families = parse(text);
        MetricFamily durations = families.get("jcluster_worker_request_duration_seconds");
        assertEquals(MetricType.HISTOGRAM, durations.getType(), text);
        Histogram histogram = (Histogram) durations.getMetrics().get(0);
        assertEquals("4242", histogram.getLabels().get("pid"));
        assertEquals(4, histogram.getSampleCount());
        assertEquals(20.0063, histogram.getSampleSum(), 1e-9);
        Map<Double, Long> buckets = new LinkedHashMap<>();
        histogram.getBuckets().forEach(bucket -> buckets.put(bucket.getUpperBound(), bucket.getCumulativeCount()));
        assertEquals(1L, buckets.get(0.0005));
        assertEquals(1L, buckets.get(0.0025));
        assertEquals(3L, buckets.get(0.005));
        assertEquals(3L, buckets.get(10.0));
        assertEquals(4L, buckets.get(Double.POSITIVE_INFINITY));
        assertEquals(4.0, ((org.hawkular.agent.prometheus.types.Counter) families.get("jcluster_worker_requests_total")
                .getMetrics().get(0)).getValue());
        assertTrue(text.contains("jcluster_worker_gc_seconds_total{worker=\"0\",pid=\"4242\"} 0.012\n"), text);
        assertEquals(3.0, ((org.hawkular.agent.prometheus.types.Counter) families.get(
                "jcluster_worker_client_address_fallbacks_total").getMetrics().get(0)).getValue());
    }

    /** access-log=: the lines it wrote and dropped (a full queue, a failed write) in /metrics and /status. */
    @Test
    void theAccessLogsWrittenAndDroppedLinesAreShown() throws IOException {
        ClusterStatus status = new ClusterStatus(1000, "round-robin", "http", "epoll", List.of(), List.of(), null,
                null, null, new ClusterStatus.AccessLogView("/var/log/jcluster/access.log", 5000, 42));
        String text = MetricsText.render(status);
        Map<String, MetricFamily> families = parse(text);
        assertEquals(MetricType.COUNTER, families.get("jcluster_access_log_dropped_total").getType());
        assertEquals(42.0, ((org.hawkular.agent.prometheus.types.Counter) families.get(
                "jcluster_access_log_dropped_total").getMetrics().get(0)).getValue());
        assertEquals(5000.0, ((org.hawkular.agent.prometheus.types.Counter) families.get(
                "jcluster_access_log_lines_total").getMetrics().get(0)).getValue());
        assertTrue(StatusReport.json(status).endsWith(",\"accessLog\":{\"target\":\"/var/log/jcluster/access.log\","
                + "\"written\":5000,\"dropped\":42}}\n"), StatusReport.json(status));
        assertTrue(StatusReport.table(status).endsWith("access log: /var/log/jcluster/access.log, 5000 lines, 42"
                + " dropped (requests came faster than it took them, or writes failed)\n"), StatusReport.table(status));

        ClusterStatus off = new ClusterStatus(1000, "round-robin", "http", "epoll", List.of(), List.of());
        assertTrue(!MetricsText.render(off).contains("jcluster_access_log") && !StatusReport.json(off)
                .contains("accessLog"), "nothing about an access log that is off");
    }

    /** Recycles per worker id and reason, in /metrics and in /status. */
    @Test
    void recyclesAreShownByReason() throws IOException {
        ClusterStatus.WorkerView worker = new ClusterStatus.WorkerView(0, 4242, "ready", 1000, 3, null, 0, 0, 0, 0, 0,
                -1, -1, -1, -1, LatencyHistogram.boundsSeconds(), new long[0], 0, 0, 1, 2);
        ClusterStatus status = new ClusterStatus(1000, "round-robin", "http", "epoll", List.of(), List.of(worker));
        String text = MetricsText.render(status);
        assertEquals(MetricType.COUNTER, parse(text).get("jcluster_worker_recycles_total").getType());
        assertTrue(text.contains("jcluster_worker_recycles_total{worker=\"0\",reason=\"max-requests\"} 1\n"
                + "jcluster_worker_recycles_total{worker=\"0\",reason=\"max-age\"} 2\n"), text);
        assertTrue(StatusReport.json(status).contains("\"restarts\":3,\"recycles\":{\"maxRequests\":1,\"maxAge\":2},"),
                StatusReport.json(status));
    }

    static Map<String, MetricFamily> parse(String text) throws IOException {
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        MetricFamily family;
        while ((family = parser.parse()) != null) {
            families.put(family.getName(), family);
        }
        return families;
    }
}
