package io.jcluster.agent.supervisor;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Set;

/**
 * Where the supervisor reports what its workers serve; the parent wires it to the balancer. A worker's private
 * addresses are registered as it binds them, and enter rotation only when the supervisor {@linkplain #admit admits}
 * the worker (ready: it serves every address the cluster listens on and passed a probe).
 */
public interface WorkerRouting {

    /**
     * {@code worker} serves {@code requested} on 127.0.0.1:{@code actualPort}. In rotation at once if the worker was
     * already admitted.
     */
    void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort);

    /** The addresses the cluster serves (any worker reported binding them): a worker is ready once it serves all. */
    Set<InetSocketAddress> listening();

    /**
     * Puts every address {@code worker} serves in rotation; the listener of an address opens with its first
     * admitted worker, so no connection is ever accepted while no worker can take it.
     */
    void admit(WorkerProcess worker);

    /** Takes {@code worker} out of rotation; its open connections continue. */
    void withdraw(WorkerProcess worker);

    /** Connections the balancer has open to {@code worker} now. */
    long openConnections(WorkerProcess worker);

    /** One pass letting idle connections of these (withdrawn) workers go; call repeatedly while draining. */
    void releaseIdle(Collection<WorkerProcess> draining);

    /**
     * What max-requests counts: the requests (http mode) or connections (tcp mode) the balancer passed to
     * {@code worker} so far; 0 where the parent does not see them (balancer=kernel).
     */
    default long served(WorkerProcess worker) {
        return 0;
    }

    /** {@code worker} exited: out of rotation, and forgotten. */
    void gone(WorkerProcess worker);

    /** {@code worker} is about to get SIGTERM (balancer=kernel: its shared listening sockets close first). */
    default void stopping(WorkerProcess worker) {
    }

    /**
     * balancer=kernel: {@code worker} could not share {@code requested} with SO_REUSEPORT ({@code why}), so its
     * server stack cannot run under kernel balancing.
     */
    default void cannotShare(WorkerProcess worker, InetSocketAddress requested, String why) {
    }
}
