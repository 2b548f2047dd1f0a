package io.jcluster.agent.supervisor;

import java.time.Duration;

/**
 * When to restart one worker slot after a crash, and when to give it up. The delay starts at restart-delay and
 * doubles with each crash in a row, up to 30 s. A crash counts towards giving up when the worker ran less than 30 s
 * (it never got going): in other words each restart must come within its back-off plus 30 s of the one before,
 * a window that grows with the back-off, so the rule trips for a crash loop at any back-off (a fixed window of 60 s
 * never could once the back-off reached 30 s). After max-restarts such restarts in a row the next crash gives the
 * slot up; a worker that ran 30 s or more starts both the doubling and the count afresh. With restart-delay=1s and
 * max-restarts=10, a worker that exits at start is given up after the back-offs 1+2+4+8+16+30x5 = 181 s plus its
 * eleven runs. Not thread-safe: called under its slot's lock.
 */
final class RestartPolicy {

    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final Duration STABLE_UPTIME = Duration.ofSeconds(30);

    @GuardedBy("Slots.lock")
    private Duration firstDelay;
    @GuardedBy("Slots.lock")
    private int maxRestarts;
    @GuardedBy("Slots.lock")
    private int crashesInARow;
    @GuardedBy("Slots.lock")
    private Duration nextDelay;

    RestartPolicy(Duration firstDelay, int maxRestarts) {
        this.firstDelay = firstDelay;
        this.maxRestarts = maxRestarts;
        this.nextDelay = firstDelay;
    }

    /**
     * A SIGHUP changed restart-delay or max-restarts: the next crash is judged by {@code maxRestarts}; a back-off under
     * way doubles on from where it is, a slot not in a crash loop starts from {@code firstDelay}.
     */
    void reconfigure(Duration firstDelay, int maxRestarts) {
        this.firstDelay = firstDelay;
        this.maxRestarts = maxRestarts;
        if (crashesInARow == 0) {
            nextDelay = firstDelay;
        }
    }

    /**
     * A worker of this slot exited after {@code uptime}. Returns the delay before its restart, or null when the slot
     * is to be given up.
     */
    Duration afterExit(Duration uptime) {
        if (uptime.compareTo(STABLE_UPTIME) >= 0) {
            nextDelay = firstDelay;
            crashesInARow = 0;
        }
        if (crashesInARow >= maxRestarts) {
            return null;
        }
        crashesInARow++;
        Duration delay = nextDelay;
        Duration doubled = nextDelay.multipliedBy(2);
        nextDelay = doubled.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : doubled;
        return delay;
    }

    /** Restarts in a row after crashes within 30 s of a start: the count the give-up rule looks at. */
    int crashRestartsInARow() {
        return crashesInARow;
    }
}
