package io.jcluster.agent.supervisor;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} on real threads and System.nanoTime(). */
final class ThreadScheduler implements Scheduler {

    private final ScheduledExecutorService steps = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("jcluster-supervisor"));
    /** Two: a probe that waits for its timeout does not hold up every other worker's probe. */
    private final ExecutorService probes = Executors.newFixedThreadPool(2, DaemonThreads.named("jcluster-health"));

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        steps.execute(task);
    }

    /** After shutdown a timer is dropped: what it would do (a probe, a drain poll) no longer matters. */
    @Override
    public void schedule(Duration delay, Runnable task) {
        if (!steps.isShutdown()) {
            try {
                steps.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // shut down meanwhile
            }
        }
    }

    @Override
    public void blocking(Runnable task) {
        if (!probes.isShutdown()) {
            try {
                probes.execute(task);
            } catch (RejectedExecutionException e) {
                // shut down meanwhile
            }
        }
    }

    @Override
    public void shutdown() {
        steps.shutdownNow();
        probes.shutdownNow();
    }
}
