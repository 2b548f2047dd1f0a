package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * sessions=shared as the parent sees it: what the workers did with the session store (each reports its own counts,
 * which start at 0 with each process; the last report of a process that left is kept, so the cluster's totals only
 * grow), and what only the store knows: how many session records it holds, and how many it evicted for room.
 *
 * <p>An evicted record is a live user's session gone (logged out, cart emptied) before its timeout: the parent says
 * so, with what to do, at most once per {@link #LOG_INTERVAL_NANOS} while evictions go on.
 */
final class SessionTotals {

    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final String MAP = ClusterFrame.SessionCounts.MAP;

    private final SharedMaps maps;
    private final LongSupplier nanoClock;
    private final Consumer<String> log;
    /** The last reports of processes that left. */
    private ClusterFrame.SessionCounts left = ClusterFrame.SessionCounts.NONE;
    private long evictionsSaid;
    private long lastSaidAt;
    private boolean said;

    /**
     * @param nanoClock {@link System#nanoTime()}, or a test's
     * @param log       takes a line for the parent's log (it adds "[jcluster] ")
     */
    SessionTotals(SharedMaps maps, LongSupplier nanoClock, Consumer<String> log) {
        this.maps = maps;
        this.nanoClock = nanoClock;
        this.log = log;
    }

    /** A worker process left; {@code last} is its last report (NONE if it never sent one). */
    synchronized void left(ClusterFrame.SessionCounts last) {
        left = left.plus(last);
    }

    /**
     * Called with every worker report (each worker once a second): logs evictions of session records, if any came
     * since the last line and that line is {@link #LOG_INTERVAL_NANOS} old.
     */
    void reported() {
        long evicted = maps.evictions(MAP);
        if (evicted <= 0) {
            return;
        }
        String line;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (evicted <= evictionsSaid || said && now - lastSaidAt < LOG_INTERVAL_NANOS) {
                return;
            }
            line = (evicted - evictionsSaid) + " live session(s) evicted from the embedded store since "
                    + (said ? "the last note" : "the start") + " (" + evicted + " in all): the store was full, so"
                    + " those users lost their sessions before their timeout. Raise store-size (its bytes in use:"
                    + " jcluster_cluster_map_bytes), or keep less in the sessions, or shorten their timeout.";
            evictionsSaid = evicted;
            lastSaidAt = now;
            said = true;
        }
        log.accept(line);
    }

    /** The totals now: the processes that left, plus the last report of each joined one. */
    ClusterHub.SessionsView view(Collection<ClusterFrame.SessionCounts> joined) {
        ClusterFrame.SessionCounts total;
        synchronized (this) {
            total = left;
        }
        for (ClusterFrame.SessionCounts counts : joined) {
            total = total.plus(counts);
        }
        return new ClusterHub.SessionsView(maps.entries(MAP), maps.evictions(MAP), total);
    }
}
