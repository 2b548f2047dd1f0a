package io.jcluster.agent.routing;

import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.stop.Draining;
import io.jcluster.agent.supervisor.probe.Probe;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.agent.supervisor.WorkerRouting;

import java.nio.file.Path;
import java.util.List;

/**
 * How client connections reach the workers (the {@code balancer} option), seen from the parent: the supervisor's
 * callbacks ({@link WorkerRouting}) plus what the parent's wiring, its admin view and its shutdown need. The parent
 * picks one implementation at start from the options and talks to it only through this interface:
 * {@code routing.proxy} (the parent listens and balances over the workers' private ports) or {@code routing.kernel}
 * (the workers share the app's ports with SO_REUSEPORT and the kernel spreads the connections).
 */
public interface RoutingMode extends WorkerRouting, Draining {

    /**
     * Before the first worker starts: what the workers of this mode find in the control {@code directory}, and how
     * {@code probe}'s connections are marked there. Logs the mode's own startup notes.
     */
    void prepareWorkers(Path directory, Probe probe);

    /**
     * How the supervisor tells whether a worker of this mode serves (readiness and health): only the mode knows
     * where a worker's connections arrive.
     */
    Probe probe();

    /** The admin view's heading: strategy, protocol and transport of this mode. */
    Description description();

    /** Every listener the parent opened, with its counters; none when the parent does not listen itself. */
    List<ListenerStats> listenerStats();

    /** What the parent knows of {@code worker}'s connections and requests. */
    WorkerTraffic traffic(WorkerProcess worker);

    /** The balancer's response cache ({@code cache=}, http mode), for the admin endpoint; null when there is none. */
    default ResponseCache cache() {
        return null;
    }

    /** The balancer's access log ({@code access-log=}, http mode), for the admin endpoint; null when there is none. */
    default AccessLog accessLog() {
        return null;
    }

    /**
     * A SIGHUP changed run-time options: new connections (http mode: requests, for the strategy) are balanced and
     * served by {@code options} from now on (strategy, max-connections, max-queue, queue-timeout, the timeouts, and
     * in http mode sticky, trusted-proxies, h2c-upgrade, cache-status-header); open connections keep theirs. Only the
     * parent's proxy has any of these (balancer=kernel refuses them at launch).
     */
    default void reconfigure(io.jcluster.agent.config.Options options) {
    }

    /** At the very end: releases the mode's threads and sockets. */
    void close();

    /** How the admin endpoint names a mode: {@code strategy} (or "kernel"), "tcp"/"http", the socket transport. */
    record Description(String strategy, String protocol, String transport) {
    }
}
