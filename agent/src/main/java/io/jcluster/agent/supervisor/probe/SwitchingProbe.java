package io.jcluster.agent.supervisor.probe;

import io.jcluster.bootstrap.ClientAddressTable;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * health=tcp or health=/path, as the options say now: a SIGHUP that changes {@code health=} replaces the probe asked
 * from the next check on (a check under way finishes with the probe it began with).
 */
final class SwitchingProbe implements Probe {

    private volatile Probe current;
    /** What {@link #current} asks: null for a connect. */
    private volatile String path;
    /** Where probes mark their connections; kept for the probes that replace the first. */
    private volatile ClientAddressTable table;

    SwitchingProbe(String healthPath) {
        this.current = of(healthPath);
        this.path = healthPath;
    }

    private static Probe of(String healthPath) {
        return healthPath == null ? Probe.tcp() : Probe.http(healthPath);
    }

    @Override
    public String check(long pid, Map<InetSocketAddress, Integer> bound, int timeoutMillis) {
        return current.check(pid, bound, timeoutMillis);
    }

    @Override
    public synchronized void markIn(ClientAddressTable table) {
        this.table = table;
        current.markIn(table);
    }

    @Override
    public synchronized void healthPath(String healthPath) {
        Probe next = of(healthPath);
        if (table != null) {
            next.markIn(table);
        }
        current = next;
        path = healthPath;
    }

    /** What is asked now, as the option says it: "health=tcp" or "health=/path". */
    @Override
    public String toString() {
        String now = path;
        return "health=" + (now == null ? "tcp" : now);
    }
}
