package io.jcluster.agent.config;

import java.time.Duration;

/**
 * What the supervisor needs to run the workers: how many, how they restart, how long they may take to become ready
 * and to stop, when one uses too much memory, and where their output goes.
 *
 * @param processes       the workers at launch ({@code processes=}, auto already turned into the processor count)
 * @param maxProcesses    the most workers a scale may ask for ({@code max-processes=})
 * @param shutdownTimeout how long open connections and the workers may take to finish on SIGTERM, in all
 * @param maxMemory       the resident memory above which a worker is replaced, in bytes; 0 when off
 * @param recycle         when a worker is replaced after so much work or time
 */
public record SupervisorOptions(
        int processes,
        int maxProcesses,
        Duration restartDelay,
        int maxRestarts,
        Duration shutdownTimeout,
        Duration readyTimeout,
        long maxMemory,
        LogMode log,
        RecycleOptions recycle) {

    /** The same, with the worker counts that {@link OptionChecks} settles once it knows the machine's processors. */
    SupervisorOptions withProcesses(int count, int max) {
        return new SupervisorOptions(count, max, restartDelay, maxRestarts, shutdownTimeout, readyTimeout, maxMemory,
                log, recycle);
    }
}
