package io.jcluster.agent.supervisor;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;

/** A {@link Scheduler} on a fake clock: nothing runs until the test runs what is due or advances time. */
final class ManualScheduler implements Scheduler {

    private record Task(long due, long order, Runnable run) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::due).thenComparingLong(Task::order));
    private long now = 1_000_000_000L;
    private long order;
    private boolean shut;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void execute(Runnable task) {
        if (shut) {
            throw new RejectedExecutionException("shut down");
        }
        schedule(Duration.ZERO, task);
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
        if (!shut) {
            tasks.add(new Task(now + delay.toNanos(), order++, task));
        }
    }

    /** Probes run on the fake clock too: a test decides what a probe answers, not how long it takes. */
    @Override
    public void blocking(Runnable task) {
        execute(task);
    }

    @Override
    public synchronized void shutdown() {
        shut = true;
        tasks.clear();
    }

    /** Runs every task due now, including those they schedule for now. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward by {@code step}, running each task when its time comes. */
    void advance(Duration step) {
        long target;
        synchronized (this) {
            target = now + step.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due() > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due());
            }
            next.run().run();
        }
    }
}
