package io.jcluster.sessions.tomcat;

import io.jcluster.sessions.MemoryStore;
import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.SessionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Tomcat adapter on two real embedded Tomcats ("workers" a and b) sharing one store in memory: each semantic
 * rule of sessions=shared (docs/sessions.md) with a request sequence that breaks if the rule does.
 */
class TomcatSessionsTest {

    private final MemoryStore store = new MemoryStore();
    private TestServer a;
    private TestServer b;

    @BeforeEach
    void start() throws Exception {
        SharedSessions.install(store);
        a = new TestServer();
        b = new TestServer();
    }

    @AfterEach
    void stop() throws Exception {
        try (TestServer first = a; TestServer second = b) {
            SharedSessions.install(null);
        }
    }

    private SessionRecord record(String id) throws Exception {
        byte[] bytes = store.records.get(MemoryStore.key(TestServer.CONTEXT, id));
        return bytes == null ? null : SessionRecord.decode(bytes);
    }

    private String count(TestServer server, String cookie, int expected) throws Exception {
        TestServer.Reply reply = server.get("", cookie);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(expected, reply.count(), reply.body());
        return reply.cookie() != null ? reply.cookie() : cookie;
    }

    @Test
    void theCountGoesOnWhicheverServerServes() throws Exception {
        TestServer.Reply first = a.get("", null);
        String cookie = first.cookie();
        assertNotNull(cookie, "the first answer sets the session cookie");
        String created = first.body().replaceAll("(?s).*created=(\\d+).*", "$1");
        for (int i = 2; i <= 10; i++) {
            TestServer server = i % 2 == 0 ? b : a;
            TestServer.Reply reply = server.get("", cookie);
            assertEquals(i, reply.count(), reply.body());
            assertNull(reply.cookie(), "no new session: " + reply.body());
            assertTrue(reply.body().contains("created=" + created + " "), "creation time from the record: " + reply.body());
            assertTrue(reply.body().contains("max=1800"), reply.body());
            assertEquals(0, a.sessionsInMemory() + b.sessionsInMemory(), "no copy stays in memory between requests");
            assertEquals(0, a.sessionsInUse() + b.sessionsInUse());
        }
        assertEquals(1, a.events.created.get(), "sessionCreated fires where the session was created");
        assertEquals(0, b.events.created.get(), "not where it is loaded");
        assertEquals(1, a.events.added.get(), "attributeAdded where setAttribute first ran");
        assertEquals(0, b.events.added.get(), "loading fires no attribute listener");
        assertEquals(5, b.events.replaced.get(), "b replaced the count 5 times");
        assertEquals(1, store.records.size());
        assertEquals(10, store.saves.get(), "one save per request");
        assertEquals(1800 + 60L, store.keepSeconds.get(MemoryStore.key(TestServer.CONTEXT, cookie)));
        SessionRecord record = record(cookie);
        assertEquals(Long.parseLong(created), record.creationTime());
        assertTrue(record.lastAccessedTime() >= record.creationTime());
    }

    /**
     * A worker that stops (scale down, a reload whose drain timed out) while a request of a shared session runs:
     * Tomcat's manager expires the sessions it holds as it stops; a shared one must not die with it.
     */
    @Test
    void aContextThatStopsMidRequestLeavesTheSharedSessionAlive() throws Exception {
        String cookie = count(a, null, 1);
        CompletableFuture<TestServer.Reply> slow = CompletableFuture.supplyAsync(() -> get(a, "sleep=3000", cookie));
        Thread.sleep(500);
        a.context.stop(); // waits up to 2 s for the servlet's requests, then stops the manager
        TestServer.Reply reply = slow.get(10, TimeUnit.SECONDS);
        assertEquals(0, a.events.destroyed.get(), "no sessionDestroyed for a session that lives on");
        assertNotNull(record(cookie), "the record is still there: " + reply);
        count(b, cookie, reply.status() == 200 ? 3 : 2);
    }

    /** Session ids are the client's to invent: one the store does not know must leave nothing behind. */
    @Test
    void unknownSessionIdsLeaveNothingInMemory() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals(200, a.get("none", "invented" + i).status());
            assertEquals(200, a.get("", "invented-too" + i).status());
        }
        assertEquals(0, a.sessionsInUse(), "no entry per invented id");
        assertEquals(0, a.sessionsInMemory(), "and no session");
        assertEquals(50, store.records.size(), "the 50 new sessions (new ids) went to the store");
        assertTrue(store.records.keySet().stream().noneMatch(key -> key.contains("invented")),
                "no session took a client's invented id");
    }

    @Test
    void lastAccessIsThePreviousRequestOfTheSession() throws Exception {
        String cookie = count(a, null, 1);
        long firstAccess = record(cookie).lastAccessedTime();
        Thread.sleep(30);
        TestServer.Reply second = b.get("", cookie);
        assertTrue(second.body().contains("last=" + firstAccess + " "),
                "getLastAccessedTime on b is the time of the request a served: " + second.body());
        assertTrue(record(cookie).lastAccessedTime() >= firstAccess + 30, "and b's request moved it");
    }

    @Test
    void aRequestThatNeverAsksForItsSessionSavesNothing() throws Exception {
        b.withoutLoginCache(); // else Tomcat's authenticator asks every request for its session
        String cookie = count(a, null, 1);
        long before = record(cookie).lastAccessedTime();
        int saves = store.saves.get();
        Thread.sleep(20);
        assertEquals(200, b.get("none", cookie).status());
        assertEquals(saves, store.saves.get(), "nothing changed");
        assertEquals(before, record(cookie).lastAccessedTime(), "the last access stays (as on Tomcat alone)");
        assertEquals(0, b.sessionsInMemory());
        count(a, cookie, 2);
    }

    @Test
    void invalidateOnOneServerEndsTheSessionOnAll() throws Exception {
        String cookie = count(a, null, 1);
        count(b, cookie, 2);
        assertEquals(200, b.get("invalidate", cookie).status());
        assertEquals(1, b.events.destroyed.get(), "sessionDestroyed where invalidate() ran");
        assertEquals(0, a.events.destroyed.get());
        assertNull(record(cookie), "the record is gone");
        TestServer.Reply again = a.get("", cookie);
        assertEquals(1, again.count(), "a finds no session: " + again.body());
        assertNotNull(again.cookie());
        assertNotEquals(cookie, again.cookie(), "a new session, with a new id");
        assertEquals(2, a.events.created.get());
    }

    @Test
    void aTimedOutSessionIsDestroyedWhereItIsLoadedNext() throws Exception {
        String cookie = a.get("timeout=1", null).cookie();
        SessionRecord record = record(cookie);
        assertEquals(1, record.maxInactiveSeconds());
        assertEquals(61L, store.keepSeconds.get(MemoryStore.key(TestServer.CONTEXT, cookie)));
        // as if the last request had been 5 s ago, without waiting for it
        SessionRecord old = new SessionRecord(record.id(), record.creationTime() - 5_000,
                record.lastAccessedTime() - 5_000, 1, record.attributes());
        store.records.put(MemoryStore.key(TestServer.CONTEXT, cookie), old.encode());

        TestServer.Reply reply = b.get("", cookie);
        assertEquals(1, reply.count(), "a new session: " + reply.body());
        assertNotEquals(cookie, reply.cookie());
        assertEquals(1, b.events.destroyed.get(), "sessionDestroyed fires on the worker that loaded it, once");
        assertEquals(1, b.events.removed.get(), "its attributes were unbound there");
        assertEquals(0, a.events.destroyed.get());
        assertNull(record(cookie), "the expired record is removed");
        assertEquals(200, a.get("none", cookie).status());
        assertEquals(0, a.events.destroyed.get(), "and destroyed only once");
    }

    @Test
    void aSessionWithAnAttributeThatIsNotSerializableStaysOnItsServer() throws Exception {
        String cookie = count(a, null, 1);
        count(b, cookie, 2);
        TestServer.Reply local = a.get("local", cookie);
        assertEquals(3, local.count(), local.body());
        assertEquals(1, store.keptLocal.size(), "told once: " + store.keptLocal);
        String warning = store.keptLocal.get(0);
        assertTrue(warning.startsWith("tomcat /app: "), warning);
        assertTrue(warning.contains("'local'") && warning.contains(CounterServlet.NotSerializable.class.getName()),
                "names the attribute and its class: " + warning);
        assertNull(record(cookie), "no stale record for other workers");
        count(a, cookie, 4);
        count(a, cookie, 5);
        assertEquals(1, store.keptLocal.size(), "said when it became local, not on every request");
        assertEquals(1, a.sessionsInMemory(), "it lives in a's memory");
        TestServer.Reply elsewhere = b.get("", cookie);
        assertEquals(1, elsewhere.count(), "another worker does not know it: " + elsewhere.body());
        count(a, cookie, 6);
    }

    @Test
    void aRecordAboveMaxMessageStaysOnItsServer() throws Exception {
        store.maxRecord = 2_000;
        String cookie = count(a, null, 1);
        assertEquals(200, a.get("big=5000", cookie).status());
        assertEquals(1, store.keptLocal.size(), store.keptLocal.toString());
        assertNull(record(cookie));
        count(a, cookie, 3);
        assertEquals(1, a.sessionsInMemory());
    }

    @Test
    void aStoreThatFailsOnLoadFailsTheRequestRatherThanStartAnEmptySession() throws Exception {
        String cookie = count(a, null, 1);
        store.failing = true;
        TestServer.Reply failed = b.get("", cookie);
        assertEquals(500, failed.status(), failed.body());
        assertNull(failed.cookie(), "no new session handed out");
        assertEquals(1, store.log.stream().filter(line -> line.contains("could not load")).count(), store.log.toString());
        assertEquals(0, b.events.created.get());
        store.failing = false;
        count(b, cookie, 2);
    }

    @Test
    void aStoreThatFailsOnSaveLetsTheResponseGo() throws Exception {
        store.failing = true;
        TestServer.Reply reply = a.get("", null);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(1, reply.count());
        assertTrue(store.log.stream().anyMatch(line -> line.contains("could not save")), store.log.toString());
        assertEquals(0, a.sessionsInMemory());
    }

    /** Tomcat's authenticators cache the login in the session: a user logged in on a is logged in on b. */
    @Test
    void theLoginTravelsWithTheSession() throws Exception {
        assertEquals(401, b.get("/secure", null, null).status(), "the page needs a login");
        String cookie = count(a, null, 1);
        TestServer.Reply login = a.get("/secure", cookie, "alice:secret");
        assertEquals(200, login.status(), login.body());
        assertEquals("user=alice\n", login.body());
        String session = login.cookie() != null ? login.cookie() : cookie; // Tomcat changes the id on login
        assertNotNull(record(session).attributes().get(TomcatRecords.PRINCIPAL));
        TestServer.Reply onB = b.get("/secure", session, null);
        assertEquals(200, onB.status(), "no credentials, yet logged in through the session: " + onB.body());
        assertEquals("user=alice\n", onB.body());
        count(b, session, 2);
    }

    @Test
    void changeSessionIdMovesTheRecord() throws Exception {
        String cookie = count(a, null, 1);
        TestServer.Reply rotated = b.get("rotate", cookie);
        assertEquals(2, rotated.count(), rotated.body());
        assertNotNull(rotated.cookie());
        assertNotEquals(cookie, rotated.cookie());
        assertNull(record(cookie), "the old id is gone");
        assertNotNull(record(rotated.cookie()));
        count(a, rotated.cookie(), 3);
        assertEquals(0, a.sessionsInMemory() + b.sessionsInMemory());
    }

    @Test
    void anAsyncRequestSavesWhenItCompletes() throws Exception {
        String cookie = count(a, null, 1);
        TestServer.Reply async = b.get("async", cookie);
        assertEquals(2, async.count(), async.body());
        count(a, cookie, 3);
        assertEquals(0, a.sessionsInMemory() + b.sessionsInMemory());
    }

    @Test
    void concurrentRequestsOfOneSessionOnOneServerShareOneSession() throws Exception {
        String cookie = count(a, null, 1);
        int loads = store.loads.get();
        CompletableFuture<TestServer.Reply> slow = CompletableFuture.supplyAsync(() -> get(a, "put=slow&sleep=600", cookie));
        Thread.sleep(200);
        TestServer.Reply fast = a.get("put=fast", cookie);
        assertEquals(200, fast.status());
        assertEquals(200, slow.get(10, TimeUnit.SECONDS).status());
        assertEquals(loads + 1, store.loads.get(), "the second request joined the session the first loaded");
        SessionRecord record = record(cookie);
        assertTrue(record.attributes().containsKey("slow") && record.attributes().containsKey("fast"),
                "both writes kept (one session object on one worker): " + record.attributes().keySet());
        assertEquals(0, a.sessionsInMemory(), "the last request out dropped it");
        count(b, cookie, 2);
    }

    /** What docs/sessions.md says of two workers: the whole record of the request that ends last wins. */
    @Test
    void concurrentRequestsOfOneSessionOnTwoServersLastWriterWins() throws Exception {
        String cookie = count(a, null, 1);
        CompletableFuture<TestServer.Reply> slow = CompletableFuture.supplyAsync(() -> get(a, "put=slow&sleep=600", cookie));
        Thread.sleep(200);
        TestServer.Reply fast = b.get("put=fast", cookie);
        assertEquals(200, fast.status());
        assertTrue(record(cookie).attributes().containsKey("fast"), "b saved first");
        assertEquals(200, slow.get(10, TimeUnit.SECONDS).status());
        SessionRecord record = record(cookie);
        assertEquals(Set.of("count", "slow"), record.attributes().keySet(),
                "a ended last and its whole record replaced b's: b's attribute is lost");
    }

    @Test
    void activationListenersHearEachLoadAndDrop() throws Exception {
        String cookie = a.get("activation", null).cookie();
        count(b, cookie, 2);
        assertEquals(0, a.sessionsInMemory() + b.sessionsInMemory());
        // passivate and activate would throw into the valve if they failed; the count shows the session went on
        count(a, cookie, 3);
    }

    /** The count the store holds for session {@code id} now (0: no record, -1: a record without a count). */
    private int storedCount(String id) throws Exception {
        SessionRecord record = record(id);
        if (record == null) {
            return 0;
        }
        byte[] count = record.attributes().get("count");
        return count == null ? -1 : (Integer) SessionRecord.deserialize(count, getClass().getClassLoader());
    }

    /** The body is complete: as long as the Content-Length the headers announce. */
    private static boolean wholeBody(String received) {
        int end = received.indexOf("\r\n\r\n");
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                .matcher(received);
        return end >= 0 && length.find() && length.start() < end
                && received.length() - end - 4 >= Integer.parseInt(length.group(1));
    }

    private static String sessionCookie(String answer, String otherwise) {
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("JSESSIONID=([^;\r]+)").matcher(answer);
        return id.find() ? id.group(1) : otherwise;
    }

    /**
     * Rule 2: the client has the answer of {@code query} (on b, with {@code cookie}) while the servlet still runs (it
     * waits for {@link CounterServlet#HOLD}), and at that moment the store holds the count that answer shows, so the
     * client's next request, on any worker, continues from it. Returns the answer once the request has ended.
     */
    private String answeredWhileTheServletRuns(String query, String cookie, int count,
                                               java.util.function.Predicate<String> complete) throws Exception {
        CounterServlet.HOLD = new java.util.concurrent.CountDownLatch(1);
        int[] stored = {Integer.MIN_VALUE};
        try {
            String answer = b.answer("/count?" + query, cookie, complete, received -> {
                try {
                    stored[0] = storedCount(sessionCookie(received, cookie));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    CounterServlet.HOLD.countDown();
                }
            });
            assertEquals(count, stored[0],
                    "the store held the count the client had (else its next request loads the previous one): " + answer);
            return answer;
        } finally {
            CounterServlet.HOLD.countDown();
        }
    }

    @Test
    void aServletThatFlushesBeforeReturningSavedBeforeTheClientHadTheAnswer() throws Exception {
        String cookie = count(a, null, 1);
        int saves = store.saves.get();
        answeredWhileTheServletRuns("commit=flush", cookie, 2, received -> received.contains("count=2 "));
        assertEquals(saves + 1, store.saves.get(), "nothing changed after the flush: still one save per request");
        assertEquals(0, b.sessionsInMemory());
        count(a, cookie, 3);
    }

    @Test
    void aSessionCreatedByARequestThatFlushesIsInTheStoreWhenTheClientHasItsCookie() throws Exception {
        String answer = answeredWhileTheServletRuns("commit=flush", null, 1, received -> received.contains("count=1 "));
        String cookie = sessionCookie(answer, null);
        assertNotNull(cookie, answer);
        assertEquals(1, store.saves.get(), "one save");
        assertEquals(0, b.sessionsInMemory());
        count(a, cookie, 2);
    }

    @Test
    void aServletThatWritesExactlyItsContentLengthSavedBeforeTheClientHadTheAnswer() throws Exception {
        String cookie = count(a, null, 1);
        answeredWhileTheServletRuns("commit=length", cookie, 2, TomcatSessionsTest::wholeBody);
        count(a, cookie, 3);
    }

    @Test
    void aBodyLargerThanTheBufferSavedBeforeTheClientHadItsStart() throws Exception {
        String cookie = count(a, null, 1);
        int saves = store.saves.get();
        answeredWhileTheServletRuns("commit=overflow", cookie, 2, received -> received.contains("count=2 "));
        assertEquals(saves + 1, store.saves.get(), "one save");
        count(a, cookie, 3);
    }

    /** What Spring MVC's message converters do: Content-Length, the body, then a flush of the output stream. */
    @Test
    void aContentLengthThenAFlushOfTheStreamSavedBeforeTheClientHadTheAnswer() throws Exception {
        String cookie = count(a, null, 1);
        answeredWhileTheServletRuns("commit=stream", cookie, 2, TomcatSessionsTest::wholeBody);
        count(a, cookie, 3);
    }

    /**
     * sendRedirect ends the response for the application (Servlet 6.1, 5.7); Tomcat sends it only once the servlet
     * returned, but another container (or a later Tomcat) may send it at once, so the store holds the count as soon
     * as sendRedirect is called: checked while the servlet still runs, before anything reached the client.
     */
    @Test
    void aRedirectSavedWhenTheServletSentIt() throws Exception {
        String cookie = count(a, null, 1);
        CounterServlet.HOLD = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return b.answer("/count?commit=redirect", cookie, TomcatSessionsTest::wholeBody, received -> { });
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (storedCount(cookie) != 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, storedCount(cookie), "saved while the servlet still runs, after its sendRedirect");
            assertEquals(1, b.sessionsInUse(), "the servlet still runs");
        } finally {
            CounterServlet.HOLD.countDown();
        }
        String redirect = answer.get(10, TimeUnit.SECONDS);
        assertTrue(redirect.startsWith("HTTP/1.1 302"), redirect);
        assertTrue(redirect.contains("was=2"), redirect);
        count(a, cookie, 3);
    }

    /**
     * An async request that completes without a flush: Tomcat calls the completion listeners (the valve's saves
     * there) before it sends the answer. The servlet's listener holds them: the client gets no answer meanwhile.
     */
    @Test
    void anAsyncRequestIsAnsweredOnlyAfterItsCompletionListeners() throws Exception {
        String cookie = count(a, null, 1);
        CounterServlet.HOLD = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return b.answer("/count?async&hold", cookie, received -> received.contains("count=2 "), received -> { });
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Thread.sleep(1000);
            assertEquals(1, storedCount(cookie), "the listeners still run");
            assertTrue(!answer.isDone(), "and no answer went");
        } finally {
            CounterServlet.HOLD.countDown();
        }
        assertTrue(answer.get(10, TimeUnit.SECONDS).contains("count=2 "));
        count(a, cookie, 3);
        assertEquals(0, a.sessionsInMemory() + b.sessionsInMemory());
    }

    @Test
    void aChangeAfterTheResponseWasCommittedIsSavedWhenTheRequestEnds() throws Exception {
        String cookie = count(a, null, 1);
        int saves = store.saves.get();
        answeredWhileTheServletRuns("commit=flush&then=put", cookie, 2, received -> received.contains("count=2 "));
        assertEquals(saves + 2, store.saves.get(), "saved before the commit, and again for the later change");
        assertTrue(record(cookie).attributes().containsKey("late"), "the later change is in the store");
        assertEquals(2, storedCount(cookie));
    }

    @Test
    void anInvalidateAfterTheResponseWasCommittedRemovesTheRecord() throws Exception {
        String cookie = count(a, null, 1);
        answeredWhileTheServletRuns("commit=flush&then=invalidate", cookie, 2, received -> received.contains("count=2 "));
        assertNull(record(cookie), "invalidated after its answer went: no record");
        TestServer.Reply next = a.get("", cookie);
        assertEquals(1, next.count(), "a new session: " + next.body());
    }

    @Test
    void aSessionCreatedThenInvalidatedAfterTheCommitLeavesNoRecord() throws Exception {
        String answer = answeredWhileTheServletRuns("commit=flush&then=invalidate", null, 1,
                received -> received.contains("count=1 "));
        String cookie = sessionCookie(answer, null);
        assertNotNull(cookie, answer);
        assertNull(record(cookie), "saved before the commit, removed when invalidated");
        assertEquals(0, store.records.size());
        assertEquals(0, b.sessionsInMemory());
    }

    private static TestServer.Reply get(TestServer server, String query, String cookie) {
        try {
            return server.get(query, cookie);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
