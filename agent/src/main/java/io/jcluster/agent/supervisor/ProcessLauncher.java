package io.jcluster.agent.supervisor;

import java.io.IOException;

/** Starts a worker's process; the real one forks a JVM ({@link ForkingLauncher}), a test's returns a fake. */
interface ProcessLauncher {

    /** Starts the process for worker {@code id} of {@code workerCount}. */
    Process launch(int id, int workerCount) throws IOException;

    /** At shutdown: waits up to {@code deadlineNanos} (System.nanoTime()) for the workers' last output lines. */
    default void awaitOutput(long deadlineNanos) {
    }
}
