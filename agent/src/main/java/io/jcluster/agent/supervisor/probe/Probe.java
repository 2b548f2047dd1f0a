package io.jcluster.agent.supervisor.probe;

import io.jcluster.bootstrap.ClientAddressTable;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Asks a worker whether it serves: before it enters rotation (readiness) and periodically after (health). Which
 * probe fits depends on how the cluster routes connections, so the parent's wiring picks it: {@link #tcp()} or
 * {@link #http(String)} connect to the worker's private ports; {@link #listening()} (balancer=kernel, where a
 * connect would reach whichever worker the kernel picks) asks /proc instead.
 */
public interface Probe {

    /**
     * Null when the worker process {@code pid} serves, else what failed; may block up to {@code timeoutMillis}.
     *
     * @param bound each address the worker's app asked for -> the private port it got, in the order it bound them
     */
    String check(long pid, Map<InetSocketAddress, Integer> bound, int timeoutMillis);

    /** Where the probe's connections mark themselves as the parent's own; only probes that connect use it. */
    default void markIn(ClientAddressTable table) {
    }

    /**
     * A SIGHUP changed {@code health=}: from the next probe on, {@code healthPath} (null: tcp) is asked. Only the
     * probes that connect to a worker's ports ({@link #connecting}) ask a path; the others ignore it.
     */
    default void healthPath(String healthPath) {
    }

    /** health=tcp: a connect to each port the worker bound. */
    static Probe tcp() {
        return new TcpProbe();
    }

    /** health=/path: a GET of the path on the worker's first port answers 2xx or 3xx. */
    static Probe http(String path) {
        return new HttpProbe(path);
    }

    /**
     * {@link #tcp()} when {@code healthPath} is null, else {@link #http(String)}; {@link #healthPath} switches
     * between them at run time.
     */
    static Probe connecting(String healthPath) {
        return new SwitchingProbe(healthPath);
    }

    /** balancer=kernel: the process still holds a listening socket on each port it bound. */
    static Probe listening() {
        return new ListeningProbe();
    }
}
