package io.jcluster.agent.supervisor;

import java.time.Duration;

/**
 * Worker id N across its processes: the one serving now, a replacement being readied, and the restart history.
 * Guarded by the supervisor's lock.
 */
final class WorkerSlot {

    enum State { ACTIVE, WAITING_TO_RESTART, GIVEN_UP, REMOVED }

    final int id;
    final RestartPolicy restarts;
    State state = State.ACTIVE;
    /** The process serving (or starting to serve) this id; after an exit, the exited one until its restart. */
    WorkerProcess current;
    /** A replacement started by a reload, restart or max-memory, until it is ready and becomes current. */
    WorkerProcess pending;
    /** Processes started for this id after the first. */
    int restartCount;
    /** The exit status of this id's last process that exited, or null. */
    Integer lastExitStatus;

    WorkerSlot(int id, Duration restartDelay, int maxRestarts) {
        this.id = id;
        this.restarts = new RestartPolicy(restartDelay, maxRestarts);
    }

    Duration uptime(long nowNanos) {
        return current == null ? Duration.ZERO : Duration.ofNanos(nowNanos - current.startedNanos);
    }
}
