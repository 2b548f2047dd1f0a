package io.jcluster.agent.supervisor;

import java.time.Duration;

/** Worker id N across its restarts: the process now running it, and its restart history. */
final class WorkerSlot {

    enum State { STARTING, RUNNING, WAITING_TO_RESTART, GIVEN_UP, STOPPED }

    final int id;
    final RestartPolicy restarts;
    State state = State.STARTING;
    Process process;
    long startedNanos;
    /** The process whose control connection is accepted; one connection per process. */
    long connectedPid = -1;

    WorkerSlot(int id, Duration restartDelay, int maxRestarts) {
        this.id = id;
        this.restarts = new RestartPolicy(restartDelay, maxRestarts);
    }

    Duration uptime(long nowNanos) {
        return Duration.ofNanos(nowNanos - startedNanos);
    }
}
