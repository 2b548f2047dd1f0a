package io.jcluster.agent.supervisor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When to restart one worker slot after a crash. The delay starts at restart-delay and doubles with each crash
 * in a row, up to 30 s; a worker that ran for 30 s or more before crashing starts the doubling afresh. More than
 * max-restarts restarts within 60 s and the slot is given up. Not thread-safe: called under its slot's
 * lock; time is passed in, so it is a pure function of the exits it was told about.
 */
final class RestartPolicy {

    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofSeconds(60);
    static final Duration STABLE_UPTIME = Duration.ofSeconds(30);

    private final Duration firstDelay;
    private final int maxRestarts;
    @GuardedBy("Slots.lock")
    private final Deque<Long> restartTimes = new ArrayDeque<>();
    @GuardedBy("Slots.lock")
    private Duration nextDelay;

    RestartPolicy(Duration firstDelay, int maxRestarts) {
        this.firstDelay = firstDelay;
        this.maxRestarts = maxRestarts;
        this.nextDelay = firstDelay;
    }

    /**
     * A worker of this slot exited after {@code uptime}; {@code nowNanos} is System.nanoTime().
     * Returns the delay before its restart, or null when the slot is to be given up.
     */
    Duration afterExit(Duration uptime, long nowNanos) {
        while (!restartTimes.isEmpty() && nowNanos - restartTimes.peekFirst() > WINDOW.toNanos()) {
            restartTimes.removeFirst();
        }
        if (restartTimes.size() >= maxRestarts) {
            return null;
        }
        if (uptime.compareTo(STABLE_UPTIME) >= 0) {
            nextDelay = firstDelay;
        }
        Duration delay = nextDelay;
        Duration doubled = nextDelay.multipliedBy(2);
        nextDelay = doubled.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : doubled;
        restartTimes.addLast(nowNanos);
        return delay;
    }

    /** Restarts counted in the current window. */
    int recentRestarts() {
        return restartTimes.size();
    }
}
