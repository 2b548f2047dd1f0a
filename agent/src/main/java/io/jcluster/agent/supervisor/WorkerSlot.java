package io.jcluster.agent.supervisor;

import java.time.Duration;

/**
 * Worker id N across its processes: the one serving now, a replacement being readied, and the restart history.
 */
final class WorkerSlot {

    enum State { ACTIVE, WAITING_TO_RESTART, GIVEN_UP, REMOVED }

    final int id;
    final RestartPolicy restarts;
    @GuardedBy("Slots.lock")
    State state = State.ACTIVE;
    /** The process serving (or starting to serve) this id; after an exit, the exited one until its restart. */
    @GuardedBy("Slots.lock")
    WorkerProcess current;
    /** A replacement started by a reload, restart or max-memory, until it is ready and becomes current. */
    @GuardedBy("Slots.lock")
    WorkerProcess pending;
    /** Processes started for this id after the first. */
    @GuardedBy("Slots.lock")
    int restartCount;
    /** The exit status of this id's last process that exited, or null. */
    @GuardedBy("Slots.lock")
    Integer lastExitStatus;

    WorkerSlot(int id, Duration restartDelay, int maxRestarts) {
        this.id = id;
        this.restarts = new RestartPolicy(restartDelay, maxRestarts);
    }

    /**
     * {@code fresh} serves this id from now on: after a crash, a replacement that got ready, or an unhealthy
     * process's successor. The one place a process becomes current.
     */
    void promote(WorkerProcess fresh) {
        if (current != null) {
            restartCount++;
        }
        if (pending == fresh) {
            pending = null;
        }
        current = fresh;
        state = State.ACTIVE;
    }

    Duration uptime(long nowNanos) {
        return current == null ? Duration.ZERO : Duration.ofNanos(nowNanos - current.startedNanos);
    }
}
