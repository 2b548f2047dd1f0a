package io.jcluster.agent.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The values of the options a SIGHUP may change ({@link OptionReread#AT_RUN_TIME}) as the cluster runs with them,
 * in the options table's order, each as an option value would say it ({@code 10s}, {@code 512m}, {@code off}): what
 * the parent's line about a change names (old and new) and what GET /status shows.
 */
public final class RunTimeValues {

    private RunTimeValues() {
    }

    /** Option key -> running value, for every option that can change at run time. */
    public static Map<String, String> of(Options options) {
        Map<Option, String> values = new java.util.EnumMap<>(Option.class);
        SupervisorOptions supervisor = options.supervisor();
        ProxyOptions proxy = options.proxy();
        HttpOptions http = options.http();
        HealthOptions health = options.health();
        values.put(Option.PROCESSES, Integer.toString(supervisor.processes()));
        values.put(Option.MAX_PROCESSES, Integer.toString(supervisor.maxProcesses()));
        values.put(Option.STRATEGY, proxy.strategy().optionValue());
        values.put(Option.SHUTDOWN_TIMEOUT, duration(supervisor.shutdownTimeout()));
        values.put(Option.RESTART_DELAY, duration(supervisor.restartDelay()));
        values.put(Option.MAX_RESTARTS, Integer.toString(supervisor.maxRestarts()));
        values.put(Option.STICKY, http.sticky());
        values.put(Option.TRUSTED_PROXIES, http.trustedProxies().toString());
        values.put(Option.MAX_CONNECTIONS, Integer.toString(proxy.maxConnections()));
        values.put(Option.MAX_QUEUE, Integer.toString(proxy.maxQueue()));
        values.put(Option.QUEUE_TIMEOUT, duration(proxy.queueTimeout()));
        values.put(Option.HEADER_TIMEOUT, duration(http.headerTimeout()));
        values.put(Option.IDLE_TIMEOUT, duration(http.idleTimeout()));
        values.put(Option.TCP_IDLE_TIMEOUT, duration(proxy.tcpIdleTimeout()));
        values.put(Option.RESPONSE_TIMEOUT, duration(http.responseTimeout()));
        values.put(Option.BODY_TIMEOUT, duration(http.bodyTimeout()));
        values.put(Option.SEND_TIMEOUT, duration(http.sendTimeout()));
        values.put(Option.H2C_UPGRADE, http.h2cUpgrade().name().toLowerCase(Locale.ROOT));
        values.put(Option.HEALTH, health.overHttp() ? health.path() : "tcp");
        values.put(Option.HEALTH_INTERVAL, duration(health.interval()));
        values.put(Option.HEALTH_THRESHOLD, Integer.toString(health.threshold()));
        values.put(Option.MAX_MEMORY, size(supervisor.maxMemory()));
        values.put(Option.READY_TIMEOUT, duration(supervisor.readyTimeout()));
        values.put(Option.CACHE_STATUS_HEADER, http.cacheStatusHeader() ? "on" : "off");
        values.put(Option.MAX_REQUESTS, Long.toString(supervisor.recycle().maxRequests()));
        values.put(Option.MAX_REQUESTS_JITTER, Long.toString(supervisor.recycle().jitter()));
        values.put(Option.MAX_AGE, duration(supervisor.recycle().maxAge()));
        Map<String, String> byKey = new LinkedHashMap<>();
        values.forEach((option, value) -> byKey.put(option.key(), value));
        return byKey;
    }

    /** {@code 10s}, {@code 500ms}, {@code 5m}; zero is {@code off}. */
    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "off";
        }
        if (millis % 3_600_000 == 0 && millis > 60_000) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis > 60_000) { // 60s as the defaults say it, 5m as people do
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** {@code 512m}, {@code 2g}; zero is {@code off}. */
    static String size(long bytes) {
        if (bytes == 0) {
            return "off";
        }
        for (String unit : new String[] {"g", "m", "k"}) {
            long factor = 1L << (unit.equals("g") ? 30 : unit.equals("m") ? 20 : 10);
            if (bytes % factor == 0) {
                return bytes / factor + unit;
            }
        }
        return Long.toString(bytes);
    }
}
