package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sticky=JSESSIONID: what is learned from a worker's Set-Cookie, and that the table stays within its bytes. */
class LearnedSessionsTest {

    private static final Backend W0 = new Backend(0, new InetSocketAddress("127.0.0.1", 1));
    private static final Backend W1 = new Backend(1, new InetSocketAddress("127.0.0.1", 2));
    private static final Backend[] BOTH = {W0, W1};

    @Test
    void aSessionGoesBackToTheWorkerThatIssuedIt() {
        LearnedSessions sessions = new LearnedSessions("JSESSIONID");
        learn(sessions, "JSESSIONID=ABC123; Path=/; HttpOnly", W1);
        assertSame(W1, sessions.route("ABC123", BOTH));
        assertNull(sessions.route("OTHER", BOTH));
        learn(sessions, "JSESSIONID=; Max-Age=0", W1, "ABC123"); // the app deleted it
        assertNull(sessions.route("ABC123", BOTH));
    }

    @Test
    void anIdLongerThanTheCapIsNotLearnedAndNothingFails() {
        LearnedSessions sessions = new LearnedSessions("S");
        String longest = "a".repeat(LearnedSessions.MAX_ID_LENGTH);
        String tooLong = "b".repeat(LearnedSessions.MAX_ID_LENGTH + 1);
        learn(sessions, "S=" + longest, W1);
        learn(sessions, "S=" + tooLong, W1);
        assertSame(W1, sessions.route(longest, BOTH));
        assertNull(sessions.route(tooLong, BOTH));
        assertEquals(1, sessions.size());
    }

    @Test
    void aFloodOfLongDistinctIdsStaysWithinTheTablesBytes() {
        long bound = 1 << 20;
        LearnedSessions sessions = new LearnedSessions("S", bound);
        int ids = 20_000; // 20,000 x (256 + 136) = 7.8 MB estimated if nothing were evicted
        for (int i = 0; i < ids; i++) {
            String id = Integer.toString(i) + "x".repeat(LearnedSessions.MAX_ID_LENGTH - Integer.toString(i).length());
            learn(sessions, "S=" + id + "; Path=/", i % 2 == 0 ? W0 : W1);
        }
        long bytes = sessions.bytes();
        assertTrue(bytes <= bound, bytes + " estimated bytes > " + bound);
        long perEntry = LearnedSessions.ENTRY_BYTES + LearnedSessions.MAX_ID_LENGTH;
        assertTrue(sessions.size() <= bound / perEntry, sessions.size() + " entries");
        assertTrue(sessions.size() > bound / perEntry / 2, "it still remembers sessions: " + sessions.size());
        String newest = Integer.toString(ids - 1) + "x".repeat(LearnedSessions.MAX_ID_LENGTH - 5);
        assertSame(W1, sessions.route(newest, BOTH), "recent sessions stay");
    }

    /**
     * The estimate is what bounds the table, so it must be near the real heap: after a full GC the live heap grows
     * by about the bound (measured 8.1-8.2 MiB for 8 MiB, G1 and Serial), where the 60,000 ids would take 23 MiB.
     */
    @Test
    void theRealHeapOfTheTableStaysNearItsBound() throws Exception {
        long bound = 8L << 20;
        long before = liveHeap();
        LearnedSessions sessions = new LearnedSessions("S", bound);
        for (int i = 0; i < 60_000; i++) {
            String id = Integer.toString(i) + "x".repeat(LearnedSessions.MAX_ID_LENGTH - Integer.toString(i).length());
            learn(sessions, "S=" + id, W0);
        }
        long grown = liveHeap() - before;
        assertTrue(grown < bound * 3 / 2, "the table's live heap: " + grown + " bytes, bound " + bound);
        assertTrue(sessions.size() < 60_000, "evicted: " + sessions.size());
        java.lang.ref.Reference.reachabilityFence(sessions);
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void theDefaultBoundHoldsManyTypicalSessions() {
        // 32-character ids: about 400,000 fit in the default 64 MiB
        assertEquals(399_457, LearnedSessions.MAX_BYTES / LearnedSessions.weight("x".repeat(32), 0));
    }

    private static void learn(LearnedSessions sessions, String setCookie, Backend served) {
        learn(sessions, setCookie, served, null);
    }

    private static void learn(LearnedSessions sessions, String setCookie, Backend served, String requestCookie) {
        MessageHead response = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_RESPONSE_HEADERS);
        ByteBuf in = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nSet-Cookie: " + setCookie + "\r\nContent-Length: 0\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            assertEquals(MessageHead.COMPLETE, response.scan(in), response.error());
            assertNull(sessions.learn(requestCookie, response, served, false));
        } finally {
            in.release();
        }
    }
}
