package io.jcluster.agent.admin;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /status and /metrics show the values the run-time options have now (after a SIGHUP, the new ones). */
class SettingsReportTest {

    private static ClusterStatus status(Map<String, String> settings) {
        return new ClusterStatus(1000, "random", "http", "epoll", List.of(), List.of(), null, null, null, settings);
    }

    @Test
    void statusAndMetricsShowTheRunningValues() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max-connections", "100");
        settings.put("header-timeout", "2s");
        String json = StatusReport.json(status(settings));
        assertTrue(json.contains("\"settings\":{\"max-connections\":\"100\",\"header-timeout\":\"2s\"}"), json);
        String metrics = MetricsText.render(status(settings));
        assertTrue(metrics.contains("\njcluster_max_connections 100\n"), metrics);
        assertTrue(metrics.contains("\njcluster_setting_info{option=\"header-timeout\",value=\"2s\"} 1\n"), metrics);
    }

    @Test
    void withoutSettingsNothingIsShown() {
        assertFalse(StatusReport.json(status(null)).contains("settings"));
        assertFalse(MetricsText.render(status(null)).contains("jcluster_setting_info"));
    }
}
