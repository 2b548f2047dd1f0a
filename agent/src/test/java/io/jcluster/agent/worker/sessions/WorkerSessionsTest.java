package io.jcluster.agent.worker.sessions;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import io.jcluster.agent.control.ClusterFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's session store over a shared map: keys, time to live, size limit, hostile ids, counting. */
class WorkerSessionsTest {

    private static final int MAX_RECORD = 1000;

    private final FakeMap map = new FakeMap();
    private final List<String> log = new ArrayList<>();
    private final WorkerSessions sessions = new WorkerSessions(map, MAX_RECORD, log::add);

    @Test
    void aRecordIsStoredUnderContextSpaceIdWithItsTimeoutPlusAMinute() {
        byte[] record = new byte[100];
        assertTrue(sessions.save("/shop", "A1B2", record, 1860));
        assertArrayEquals(record, map.values.get("/shop A1B2"));
        assertEquals(Duration.ofSeconds(1860), map.ttls.get("/shop A1B2"));
        assertTrue(sessions.save("", "C3", record, 0));
        assertNull(map.ttls.get(" C3"), "keepSeconds 0: no time to live");
        assertTrue(map.values.containsKey(" C3"), "the root context is the empty path");

        assertSame(record, sessions.load("/shop", "A1B2"));
        assertNull(sessions.load("/other", "A1B2"), "another context's session is not found");
        sessions.remove("/shop", "A1B2");
        assertNull(sessions.load("/shop", "A1B2"));

        assertEquals(new ClusterFrame.SessionCounts(1, 100, 2, 200, 1, 0, 0), sessions.counters().snapshot(),
                "reads count records found; a miss is no read");
    }

    @Test
    void aRecordLargerThanMaxMessageStaysLocalWithOneWarningPerContext() {
        assertFalse(sessions.save("/shop", "A1", new byte[MAX_RECORD + 1], 60));
        assertFalse(sessions.save("/shop", "A2", new byte[MAX_RECORD + 1], 60));
        assertTrue(map.values.isEmpty());
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("context '/shop'") && log.get(0).contains("max-message=" + MAX_RECORD),
                log.get(0));
        assertEquals(2, sessions.counters().keptLocal());
        assertTrue(sessions.save("/shop", "A3", new byte[MAX_RECORD], 60), "max-message itself fits");
    }

    /** A session id comes from the client's cookie: a hostile one must neither fail the request nor reach the store. */
    @Test
    void anIdNoServerIssuesIsNoSessionRatherThanAnError() {
        for (String hostile : List.of("x".repeat(5000), "a b", "a\nb", "caf\u00e9", "\u0000", "",
                "\ud800", "x".repeat(WorkerSessions.MAX_ID_LENGTH + 1))) {
            assertNull(sessions.load("/shop", hostile), "id " + hostile.length() + " chars");
            sessions.remove("/shop", hostile);
        }
        assertNull(sessions.load("/" + "c".repeat(1100), "A1"), "a key past the store's 1024 bytes");
        assertEquals(0, map.calls, "nothing went to the store");
        assertEquals(ClusterFrame.SessionCounts.NONE, sessions.counters().snapshot());

        assertFalse(sessions.save("/shop", "a b", new byte[10], 60), "kept local, never a key that names another"
                + " context's session");
        assertEquals(1, sessions.counters().keptLocal());
        assertNull(sessions.load("/shop", "x".repeat(WorkerSessions.MAX_ID_LENGTH)));
        assertEquals(1, map.calls, "an id of the longest length is asked for");
    }

    @Test
    void theKeyNamesExactlyOneContextAndId() {
        assertEquals("/a b", WorkerSessions.key("/a", "b"));
        assertNull(WorkerSessions.key("/a", "b c"), "otherwise context '/a b' id 'c' would be the same key");
        assertNull(WorkerSessions.key("/a", null));
    }

    @Test
    void storeFailuresAreCountedAndRethrown() {
        sessions.save("/shop", "A1", new byte[10], 60);
        map.failure = new ClusterException("shared map 'jcluster.sessions': no answer from the parent within 2s");
        assertSame(map.failure, assertThrows(ClusterException.class, () -> sessions.load("/shop", "A1")));
        assertSame(map.failure, assertThrows(ClusterException.class,
                () -> sessions.save("/shop", "A1", new byte[10], 60)));
        assertSame(map.failure, assertThrows(ClusterException.class, () -> sessions.remove("/shop", "A1")));
        assertEquals(new ClusterFrame.SessionCounts(0, 0, 1, 10, 0, 0, 3), sessions.counters().snapshot(),
                "failed calls count as failures only");
        map.failure = null;
        assertEquals(10, sessions.load("/shop", "A1").length);
    }

    @Test
    void theMapIsTheOneTheParentCounts() {
        assertEquals("jcluster.sessions", WorkerSessions.MAP);
        assertEquals(ClusterFrame.SessionCounts.MAP, WorkerSessions.MAP);
    }

    /** A shared map in memory that records time to live and can be made to fail as a store that does not answer. */
    private static final class FakeMap implements SharedMap {
        final Map<String, byte[]> values = new HashMap<>();
        final Map<String, Duration> ttls = new HashMap<>();
        RuntimeException failure;
        int calls;

        private void call() {
            calls++;
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public String name() {
            return WorkerSessions.MAP;
        }

        @Override
        public byte[] get(String key) {
            call();
            return values.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            call();
            values.put(key, value);
            ttls.remove(key);
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            call();
            values.put(key, value);
            ttls.put(key, ttl);
        }

        @Override
        public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean remove(String key) {
            call();
            ttls.remove(key);
            return values.remove(key) != null;
        }

        @Override
        public boolean compareAndSet(String key, byte[] expected, byte[] update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long increment(String key, long delta) {
            throw new UnsupportedOperationException();
        }
    }
}
