package io.jcluster.agent.supervisor;

import java.time.Duration;

/**
 * Time and threads for the supervisor: its timers (restart delays, probe intervals, drain polls, SIGKILL after
 * SIGTERM) and its blocking work (probes) go through here, so that a test can step a fake clock instead of sleeping.
 */
interface Scheduler {

    /** Like System.nanoTime(). */
    long nanoTime();

    /** Runs {@code task} soon, on the supervisor's thread; after {@link #shutdown()} it throws RejectedExecutionException. */
    void execute(Runnable task);

    /** Runs {@code task} on the supervisor's thread after {@code delay}; dropped after {@link #shutdown()}. */
    void schedule(Duration delay, Runnable task);

    /**
     * Runs {@code task}, which may block for a while (a probe's socket I/O), off the supervisor's thread; dropped
     * after {@link #shutdown()}.
     */
    void blocking(Runnable task);

    /** Runs nothing more. */
    void shutdown();

    /** The real one: one thread for the supervisor's own steps, two for probes. */
    static Scheduler threads() {
        return new ThreadScheduler();
    }
}
