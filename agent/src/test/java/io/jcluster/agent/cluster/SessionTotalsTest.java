package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parent's session totals and its note about evicted sessions, on a fake clock. */
class SessionTotalsTest {

    private static final String MAP = ClusterFrame.SessionCounts.MAP;

    private final TestStore store = new TestStore(true);
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final List<String> log = new ArrayList<>();
    private final SessionTotals totals = new SessionTotals(store.maps(), nanos::get, log::add);

    private void advanceSeconds(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void noEvictionNoNote() {
        for (int i = 0; i < 30; i++) {
            totals.reported();
            advanceSeconds(1);
        }
        store.evicted.put("app.cache", 50L);
        totals.reported();
        assertEquals(List.of(), log, "evictions of the app's own maps are not sessions");
    }

    @Test
    void evictedSessionsAreNotedAtMostOncePerTenSecondsWithWhatToDo() {
        store.evicted.put(MAP, 3L);
        totals.reported();
        assertEquals(1, log.size());
        assertTrue(log.get(0).startsWith("3 live session(s) evicted from the embedded store since the start (3 in"
                + " all)"), log.get(0));
        assertTrue(log.get(0).contains("Raise store-size"), log.get(0));

        store.evicted.put(MAP, 5L);
        for (int i = 0; i < 9; i++) {
            advanceSeconds(1);
            totals.reported(); // every worker's report, once a second
        }
        assertEquals(1, log.size(), "9 s later: not yet again");
        advanceSeconds(1);
        totals.reported();
        assertEquals(2, log.size());
        assertTrue(log.get(1).startsWith("2 live session(s) evicted from the embedded store since the last note (5 in"
                + " all)"), log.get(1));

        advanceSeconds(60);
        totals.reported();
        assertEquals(2, log.size(), "no eviction since: no note, however long it has been");
        store.evicted.put(MAP, 6L);
        totals.reported();
        assertEquals(3, log.size(), "the first eviction after a quiet spell is said at once");
    }

    @Test
    void aStoreThatDoesNotTellEvictionsSaysNothing() {
        store.evicted.put(MAP, -1L);
        totals.reported();
        assertEquals(List.of(), log);
    }

    @Test
    void totalsAreTheLeftProcessesPlusTheJoinedOnesLatestReports() {
        store.entries.put(MAP + "/ A", new byte[1]);
        store.evicted.put(MAP, 2L);
        totals.left(new ClusterFrame.SessionCounts(10, 100, 11, 110, 1, 0, 0));
        totals.left(ClusterFrame.SessionCounts.NONE);
        ClusterHub.SessionsView view = totals.view(List.of(new ClusterFrame.SessionCounts(1, 10, 1, 10, 0, 2, 3),
                new ClusterFrame.SessionCounts(2, 20, 2, 20, 1, 0, 0)));
        assertEquals(new ClusterHub.SessionsView(1, 2, new ClusterFrame.SessionCounts(13, 130, 14, 140, 2, 2, 3)),
                view);
    }
}
