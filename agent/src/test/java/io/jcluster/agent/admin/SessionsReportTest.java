package io.jcluster.agent.admin;

import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sessions=shared's part of /status and /metrics. */
class SessionsReportTest {

    private static ClusterStatus status(ClusterStatus.SessionsView sessions) {
        return new ClusterStatus(1000, "round-robin", "http", "epoll", List.of(), List.of(), null, sessions, null);
    }

    private static final ClusterStatus.SessionsView EMBEDDED =
            new ClusterStatus.SessionsView(12, 300, 3 << 20, 320, 4 << 20, 5, 2, 1, 7);
    private static final ClusterStatus.SessionsView REDIS =
            new ClusterStatus.SessionsView(-1, 300, 3 << 20, 320, 4 << 20, 5, 2, 1, -1);

    @Test
    void metricsNameEverySessionFactAndParse() throws IOException {
        Map<String, MetricFamily> families = MetricsTextTest.parse(MetricsText.render(status(EMBEDDED)));
        assertEquals(12.0, ((Gauge) families.get("jcluster_sessions_stored").getMetrics().get(0)).getValue());
        assertEquals(300.0, counter(families, "jcluster_sessions_reads_total"));
        assertEquals(3 << 20, counter(families, "jcluster_sessions_read_bytes_total"));
        assertEquals(320.0, counter(families, "jcluster_sessions_writes_total"));
        assertEquals(4 << 20, counter(families, "jcluster_sessions_written_bytes_total"));
        assertEquals(5.0, counter(families, "jcluster_sessions_removes_total"));
        assertEquals(2.0, counter(families, "jcluster_sessions_kept_local_total"));
        assertEquals(1.0, counter(families, "jcluster_sessions_store_failures_total"));
        assertEquals(7.0, counter(families, "jcluster_sessions_evictions_total"));
    }

    @Test
    void whatRedisDoesNotTellHasNoSample() throws IOException {
        Map<String, MetricFamily> families = MetricsTextTest.parse(MetricsText.render(status(REDIS)));
        assertNull(families.get("jcluster_sessions_stored"));
        assertNull(families.get("jcluster_sessions_evictions_total"));
        assertEquals(320.0, counter(families, "jcluster_sessions_writes_total"));
        assertTrue(StatusReport.json(status(REDIS)).contains("\"stored\":-1"));
    }

    @Test
    void statusJsonHasASessionsObject() {
        String json = StatusReport.json(status(EMBEDDED));
        assertTrue(json.endsWith(",\"sessions\":{\"stored\":12,\"reads\":300,\"readBytes\":3145728,\"writes\":320,"
                + "\"writeBytes\":4194304,\"removes\":5,\"keptLocal\":2,\"storeFailures\":1,\"evictions\":7}}\n"), json);
    }

    @Test
    void theTableHasASessionsLine() {
        assertTrue(StatusReport.table(status(EMBEDDED)).endsWith("sessions: 12 stored, 300 reads (3.0M) / 320 writes"
                + " (4.0M) / 5 removed, 2 kept local, 1 store failures, 7 evicted\n"));
        assertTrue(StatusReport.table(status(REDIS)).endsWith("sessions: - stored, 300 reads (3.0M) / 320 writes"
                + " (4.0M) / 5 removed, 2 kept local, 1 store failures, - evicted\n"));
    }

    @Test
    void withoutSharedSessionsNothingOfThemIsShown() {
        ClusterStatus off = status(null);
        assertFalse(MetricsText.render(off).contains("jcluster_sessions_"));
        assertFalse(StatusReport.json(off).contains("\"sessions\""));
        assertFalse(StatusReport.table(off).contains("sessions:"));
    }

    private static double counter(Map<String, MetricFamily> families, String name) {
        return ((Counter) families.get(name).getMetrics().get(0)).getValue();
    }
}
