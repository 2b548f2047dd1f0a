package io.jcluster.sessions.undertow;

import io.jcluster.bootstrap.SessionCalls;
import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.SessionRecord;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.InMemorySessionManager;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionAttachmentHandler;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionCookieConfig;
import io.undertow.server.session.SessionListener;
import io.undertow.server.session.SessionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Undertow adapter on two real Undertow servers ("workers" A and B, on 127.0.0.1) sharing one in-memory store, as
 * two workers share the cluster's: a core-handler session counter (SessionAttachmentHandler, InMemorySessionManager,
 * SessionCookieConfig). The managers are wired as the agent's advice wires them: each call asks
 * {@link SessionCalls} first ({@link AdvisedManager} does in Java what SessionAdvice.Undertow inlines).
 */
class UndertowSessionsTest {

    private static final String CONTEXT = "counter";
    private static final Pattern COUNT = Pattern.compile("count=(\\d+) worker=(\\w)");

    private MemoryStore store;
    private Worker a;
    private Worker b;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String cookie;

    @BeforeEach
    void start() {
        store = new MemoryStore();
        SharedSessions.install(store);
        a = new Worker("A", store);
        b = new Worker("B", store);
    }

    @AfterEach
    void stop() {
        a.server.stop();
        b.server.stop();
        SharedSessions.install(null);
    }

    // ---- rules 1 and 2: the store is authoritative, saved before the response is committed ----

    @Test
    void theCountGoesOnAcrossWorkersAndNoWorkerKeepsTheSession() throws Exception {
        for (int i = 1; i <= 10; i++) {
            Worker worker = i % 2 == 1 ? a : b;
            Hit hit = get(worker, "/session-count");
            assertEquals(200, hit.status, hit.body);
            assertEquals(i, hit.count, "request " + i + " on " + worker.name + ": " + hit.body);
            // the client has the response: the record was saved before it was committed
            assertEquals(i, storedCount(), "the store holds the count the client was just told");
        }
        assertEquals(1, store.records.size(), "one session, one record: " + store.records.keySet());
        assertEquals(0, a.manager.getActiveSessionCount(), "Undertow's own map stays empty");
        assertEquals(0, a.shared().localCount(), "no session stays in A's memory after its requests");
        assertEquals(0, b.shared().localCount(), "no session stays in B's memory after its requests");
        assertEquals(List.of(), store.logs, "nothing to say");
    }

    @Test
    void aChangeOnOneWorkerIsWhatTheOtherLoadsNextNotAStaleCopy() throws Exception {
        get(a, "/session-count");
        get(a, "/session-count");
        assertEquals(3, get(b, "/session-count").count);
        assertEquals(4, get(a, "/session-count").count, "A reloads B's write rather than serve its own copy");
    }

    @Test
    void aSessionAskedForAfterTheResponseStartedIsSavedWhenTheExchangeCompletes() throws Exception {
        get(a, "/session-count");
        Hit late = get(a, "/late");
        assertEquals(200, late.status, late.body);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (storedCount() != 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(2, storedCount(), "saved at the exchange's end (no commit listener once the response started)");
        assertEquals(3, get(b, "/session-count").count);
    }

    @Test
    void aRequestThatNeverAsksForItsSessionDoesNotLoadIt() throws Exception {
        get(a, "/session-count");
        int loads = store.loads.size();
        assertEquals(200, get(b, "/nothing").status);
        assertEquals(loads, store.loads.size(), "SessionAttachmentHandler's end-of-exchange touch loads nothing");
    }

    @Test
    void aSessionFoundOutsideARequestIsSavedWhenItsUserIsDone() throws Exception {
        get(a, "/session-count");
        Session found = a.manager.getSession(cookie);
        assertEquals(1, found.getAttribute("count"));
        found.setAttribute("count", 41);
        found.requestDone(null); // as the servlet layer's session accessor does
        assertEquals(42, get(b, "/session-count").count);
        assertNull(a.manager.getSession("no-such-session"));
    }

    // ---- rule 4: ids, times from the record; listeners only where the event happens ----

    @Test
    void idCreationTimeAndTimeoutComeFromTheRecordAndListenersFireOnlyWhereTheEventHappens() throws Exception {
        get(a, "/session-count?timeout=600");
        String id = cookie;
        Map<String, String> onA = info(a);
        Thread.sleep(5);
        get(b, "/session-count");
        Map<String, String> onB = info(b);
        assertEquals(id, onB.get("id"));
        assertEquals(onA.get("created"), onB.get("created"), "creation time from the record");
        assertEquals("600", onB.get("timeout"), "max inactive interval from the record");
        assertTrue(Long.parseLong(onB.get("accessed")) > Long.parseLong(onA.get("created")),
                "last access moved with B's request: " + onA + " then " + onB);
        assertEquals(cookie, id, "the id stays");

        assertEquals(List.of("created " + id, "added count=1"), a.events,
                "A created the session and set the count (its /info request set nothing)");
        assertEquals(List.of("updated count=2"), b.events, "B loaded the session without sessionCreated or"
                + " attributeAdded; it heard only its own update");
    }

    // ---- rule 3: invalidation and timeout on every worker ----

    @Test
    void invalidationOnOneWorkerEndsTheSessionOnEveryWorker() throws Exception {
        get(a, "/session-count");
        get(b, "/session-count");
        String id = cookie;
        Hit invalidated = get(a, "/session-count?invalidate");
        assertEquals(200, invalidated.status);
        assertTrue(store.records.isEmpty(), "the record is removed");
        assertTrue(a.events.contains("destroyed " + id + " INVALIDATED"), a.events.toString());
        cookie = id; // a browser that kept the old cookie
        assertEquals(1, get(b, "/session-count").count, "B finds no such session: a new one");
        assertNotEquals(id, cookie, "with a new id");
        assertEquals(2, get(a, "/session-count").count);
    }

    @Test
    void aRecordPastItsTimeoutExpiresWhereItIsLoadedOnceAndIsRemoved() throws Exception {
        get(a, "/session-count?timeout=60");
        String id = cookie;
        SessionRecord record = SessionRecord.decode(store.records.get(CONTEXT + " " + id));
        // as if its last request was 61 s ago
        store.records.put(CONTEXT + " " + id, new SessionRecord(id, record.creationTime(),
                record.lastAccessedTime() - 61_000, 60, record.attributes()).encode());
        Hit hit = get(b, "/session-count");
        assertEquals(1, hit.count, "the timed-out session is gone: a new one counts from 1");
        assertEquals(List.of("destroyed " + id + " TIMEOUT", "created " + cookie, "added count=1"), b.events,
                "B expired it (once) and created the new one");
        assertFalse(a.events.stream().anyMatch(e -> e.startsWith("destroyed")), "A heard nothing: " + a.events);
        assertFalse(store.records.containsKey(CONTEXT + " " + id), "the expired record is removed");
    }

    @Test
    void keepSecondsIsTheTimeoutAndAMinuteOrForEver() throws Exception {
        get(a, "/session-count?timeout=30");
        assertEquals(90L, store.keepSeconds.get(CONTEXT + " " + cookie));
        get(a, "/session-count?timeout=0");
        assertEquals(0L, store.keepSeconds.get(CONTEXT + " " + cookie));
    }

    // ---- rule 5: a session that cannot be stored stays on its worker, said once ----

    @Test
    void aNonSerializableAttributeKeepsTheSessionOnItsWorkerWithOneWarning() throws Exception {
        get(a, "/session-count");
        String id = cookie;
        Hit local = get(a, "/session-count?local");
        assertEquals(2, local.count);
        assertEquals(1, store.keptLocal.size(), store.keptLocal.toString());
        assertTrue(store.keptLocal.get(0).contains("'local'") && store.keptLocal.get(0).contains("java.lang.Thread"),
                "names the attribute and its class: " + store.keptLocal);
        assertFalse(store.records.containsKey(CONTEXT + " " + id), "no stale copy for other workers");
        for (int i = 3; i <= 6; i++) {
            assertEquals(i, get(a, "/session-count").count, "the session keeps working on A");
        }
        assertEquals(1, store.keptLocal.size(), "warned and counted once for that session");
        assertEquals(1, a.shared().localCount());

        Hit elsewhere = get(b, "/session-count");
        assertEquals(1, elsewhere.count, "B does not have it");
        cookie = id;
        assertEquals(7, get(a, "/session-count").count, "A still has it");
    }

    @Test
    void aRecordLargerThanMaxMessageKeepsTheSessionOnItsWorkerUntilItFitsAgain() throws Exception {
        store.maxRecord = 1024; // the store refuses larger records (and warns and counts, as WorkerSessions does)
        get(a, "/session-count");
        String id = cookie;
        assertEquals(2, get(a, "/session-count?big").count);
        assertEquals(1, store.refusals.get());
        assertEquals(List.of(), store.keptLocal, "the store said so itself; the adapter does not count it twice");
        assertFalse(store.records.containsKey(CONTEXT + " " + id), "no stale copy for other workers");
        assertEquals(3, get(a, "/session-count").count, "the session keeps working on A");
        assertEquals(4, get(a, "/session-count").count);
        assertEquals(1, store.refusals.get(), "a record no smaller is not offered (and counted) again");
        assertEquals(1, a.shared().localCount());
        assertEquals(5, get(a, "/session-count?unbig").count);
        assertEquals(0, a.shared().localCount(), "it fits again: stored, and A forgets it");
        assertEquals(6, get(b, "/session-count").count);
    }

    @Test
    void aLocalSessionThatBecomesSerializableIsSharedAgain() throws Exception {
        get(a, "/session-count?local");
        assertEquals(1, a.shared().localCount());
        assertEquals(2, get(a, "/session-count?unlocal").count);
        assertEquals(0, a.shared().localCount(), "A forgets it: the store has it");
        assertEquals(3, get(b, "/session-count").count);
    }

    @Test
    void aLocalSessionTimesOutOnItsWorker() throws Exception {
        get(a, "/session-count?local&timeout=1");
        String id = cookie;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!a.events.contains("destroyed " + id + " TIMEOUT") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(a.events.contains("destroyed " + id + " TIMEOUT"), "timed out: " + a.events);
        assertEquals(0, a.shared().localCount());
        assertEquals(1, get(a, "/session-count").count);
    }

    @Test
    void stopEndsTheLocalSessionsAndLeavesTheSharedOnesInTheStore() throws Exception {
        get(a, "/session-count?local");
        String local = cookie;
        cookie = null;
        get(a, "/session-count");
        String shared = cookie;
        a.manager.stop();
        assertTrue(a.events.contains("destroyed " + local + " UNDEPLOY"), a.events.toString());
        assertFalse(a.events.contains("destroyed " + shared + " UNDEPLOY"), a.events.toString());
        assertTrue(store.records.containsKey(CONTEXT + " " + shared), "a shared session outlives its worker");
    }

    // ---- rule 6: store failures ----

    @Test
    void aStoreThatFailsOnLoadFailsTheRequestWithOneLine() throws Exception {
        get(a, "/session-count");
        store.failing = true;
        Hit hit = get(b, "/session-count");
        assertEquals(500, hit.status, "no silent new session: " + hit.body);
        assertEquals(1, store.logs.size(), store.logs.toString());
        assertTrue(store.logs.get(0).contains("failed to load"), store.logs.toString());
        store.failing = false;
        assertEquals(2, get(b, "/session-count").count, "the session is still there");
    }

    @Test
    void aStoreThatFailsOnSaveLogsAndTheResponseGoesOn() throws Exception {
        get(a, "/session-count");
        store.failingSaves = true;
        Hit hit = get(a, "/session-count");
        assertEquals(200, hit.status);
        assertEquals(2, hit.count);
        assertEquals(1, store.logs.size(), store.logs.toString());
        assertTrue(store.logs.get(0).contains("failed to save"), store.logs.toString());
    }

    // ---- ids from hostile cookies ----

    @Test
    void anIdTheStoreCannotKeyIsNeverLookedUp() throws Exception {
        cookie = "x".repeat(SharedManager.MAX_ID_LENGTH + 1);
        assertEquals(1, get(a, "/session-count").count);
        cookie = "\"two words\"";
        assertEquals(1, get(a, "/session-count").count);
        assertEquals(List.of(), store.loads, "the store was never asked about those ids");
        assertTrue(SharedManager.acceptableId("a".repeat(SharedManager.MAX_ID_LENGTH)));
        assertFalse(SharedManager.acceptableId("a b"));
        assertFalse(SharedManager.acceptableId("a\u00e9"));
        assertFalse(SharedManager.acceptableId(""));
    }

    // ---- changeSessionId (servlet login) ----

    @Test
    void aChangedIdMovesTheRecord() throws Exception {
        get(a, "/session-count");
        String old = cookie;
        assertEquals(2, get(a, "/session-count?rename").count);
        assertNotEquals(old, cookie, "the client got the new id");
        assertFalse(store.records.containsKey(CONTEXT + " " + old), "the old id is gone");
        assertTrue(store.records.containsKey(CONTEXT + " " + cookie));
        assertEquals(3, get(b, "/session-count").count);
        assertTrue(a.events.contains("renamed " + old), a.events.toString());
    }

    @Test
    void aClientCannotChooseTheIdOfANewSession() throws Exception {
        cookie = "chosen-by-the-client";
        assertEquals(1, get(a, "/session-count").count);
        assertNotEquals("chosen-by-the-client", cookie, "Undertow's own manager would take the cookie's id");
        assertFalse(store.records.containsKey(CONTEXT + " chosen-by-the-client"));
    }

    @Test
    void theAdapterAnswersTheCallsOfTheManagersItAdopted() {
        InMemorySessionManager plain = new InMemorySessionManager("plain");
        assertNull(SessionCalls.ask(plain, "getSession", new Object[]{"some-id"}), "not adopted: Undertow's code");
        new UndertowSessions().accept(plain);
        assertEquals(Optional.empty(), SessionCalls.ask(plain, "getSession", new Object[]{"some-id"}),
                "adopted: the adapter answers (the store has no such session)");
        assertEquals(List.of("some-id"), store.loads);
    }

    // ---- the rig ----

    private record Hit(int status, int count, String body) {
    }

    private Hit get(Worker worker, String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.port + path))
                .timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            request.header("Cookie", "JSESSIONID=" + cookie);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : response.headers().allValues("set-cookie")) {
            Matcher matcher = Pattern.compile("^JSESSIONID=([^;]+)").matcher(set);
            if (matcher.find() && !set.contains("Max-Age=0")) {
                cookie = matcher.group(1);
            }
        }
        Matcher count = COUNT.matcher(response.body());
        return new Hit(response.statusCode(), count.find() ? Integer.parseInt(count.group(1)) : -1, response.body());
    }

    private Map<String, String> info(Worker worker) throws IOException, InterruptedException {
        Map<String, String> info = new ConcurrentHashMap<>();
        for (String pair : get(worker, "/info").body.strip().split(" ")) {
            String[] kv = pair.split("=", 2);
            info.put(kv[0], kv[1]);
        }
        return info;
    }

    private int storedCount() throws Exception {
        SessionRecord record = SessionRecord.decode(store.records.get(CONTEXT + " " + cookie));
        return (Integer) SessionRecord.deserialize(record.attributes().get("count"), getClass().getClassLoader());
    }

    /** One "worker": an Undertow server with the session counter, its manager shared through the adapter. */
    private static final class Worker {
        final String name;
        final AdvisedManager manager;
        final List<String> events = new CopyOnWriteArrayList<>();
        final Undertow server;
        final int port;

        Worker(String name, SharedSessions.Store store) {
            this.name = name;
            manager = new AdvisedManager(CONTEXT, store);
            manager.registerSessionListener(new Recorder(events));
            SessionCookieConfig config = new SessionCookieConfig();
            server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                    .setHandler(new SessionAttachmentHandler(this::handle, manager, config)).build();
            server.start();
            port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        }

        SharedManager shared() {
            return manager.shared;
        }

        /** The session counter of the sample app, and /info. */
        private void handle(HttpServerExchange exchange) {
            if (exchange.isInIoThread()) {
                exchange.dispatch(this::handle);
                return;
            }
            SessionManager sessions = exchange.getAttachment(SessionManager.ATTACHMENT_KEY);
            SessionConfig config = exchange.getAttachment(SessionConfig.ATTACHMENT_KEY);
            if (exchange.getRequestPath().equals("/nothing")) {
                exchange.getResponseSender().send("nothing");
                return;
            }
            if (exchange.getRequestPath().equals("/late")) { // the response is on its way before the session is used
                exchange.startBlocking();
                try {
                    exchange.getOutputStream().write("late".getBytes());
                    exchange.getOutputStream().flush();
                    Session session = sessions.getSession(exchange, config);
                    session.setAttribute("count", (Integer) session.getAttribute("count") + 1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                exchange.endExchange();
                return;
            }
            Session session = sessions.getSession(exchange, config);
            if (exchange.getRequestPath().equals("/info")) {
                exchange.getResponseSender().send("id=" + session.getId() + " created=" + session.getCreationTime()
                        + " accessed=" + session.getLastAccessedTime() + " timeout=" + session.getMaxInactiveInterval());
                return;
            }
            if (session == null) {
                session = sessions.createSession(exchange, config);
            }
            Map<String, java.util.Deque<String>> query = exchange.getQueryParameters();
            if (query.containsKey("invalidate")) {
                session.invalidate(exchange);
                exchange.getResponseSender().send("invalidated worker=" + name);
                return;
            }
            Integer count = (Integer) session.getAttribute("count");
            int next = count == null ? 1 : count + 1;
            session.setAttribute("count", next);
            if (query.containsKey("timeout")) {
                session.setMaxInactiveInterval(Integer.parseInt(query.get("timeout").getFirst()));
            }
            if (query.containsKey("local")) {
                session.setAttribute("local", Thread.currentThread());
            }
            if (query.containsKey("big")) {
                session.setAttribute("big", "x".repeat(4096));
            }
            if (query.containsKey("unbig")) {
                session.removeAttribute("big");
            }
            if (query.containsKey("unlocal")) {
                session.removeAttribute("local");
            }
            if (query.containsKey("rename")) {
                session.changeSessionId(exchange, config);
            }
            exchange.getResponseSender().send("count=" + next + " worker=" + name);
        }
    }

    /** What SessionAdvice.Undertow inlines into InMemorySessionManager, in Java. */
    static final class AdvisedManager extends InMemorySessionManager {
        final SharedManager shared;

        AdvisedManager(String name, SharedSessions.Store store) {
            super(name);
            try {
                shared = new SharedManager(this, store); // what UndertowSessions.accept registers
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            assertTrue(SessionCalls.answer(this, shared));
        }

    @Override
        public Session createSession(HttpServerExchange exchange, SessionConfig config) {
            Object answer = SessionCalls.ask(this, "createSession", new Object[]{exchange, config});
            return answer != null ? (Session) ((Optional<?>) answer).orElse(null) : super.createSession(exchange, config);
        }

        @Override
        public Session getSession(HttpServerExchange exchange, SessionConfig config) {
            Object answer = SessionCalls.ask(this, "getSession", new Object[]{exchange, config});
            return answer != null ? (Session) ((Optional<?>) answer).orElse(null) : super.getSession(exchange, config);
        }

        @Override
        public Session getSession(String id) {
            Object answer = SessionCalls.ask(this, "getSession", new Object[]{id});
            return answer != null ? (Session) ((Optional<?>) answer).orElse(null) : super.getSession(id);
        }

        @Override
        public void stop() {
            SessionCalls.ask(this, "stop", new Object[0]);
            super.stop();
        }
    }

    private record Recorder(List<String> events) implements SessionListener {
        @Override
        public void sessionCreated(Session session, HttpServerExchange exchange) {
            events.add("created " + session.getId());
        }

        @Override
        public void sessionDestroyed(Session session, HttpServerExchange exchange, SessionDestroyedReason reason) {
            events.add("destroyed " + session.getId() + " " + reason);
        }

        @Override
        public void attributeAdded(Session session, String name, Object value) {
            events.add("added " + name + "=" + value);
        }

        @Override
        public void attributeUpdated(Session session, String name, Object newValue, Object oldValue) {
            if (!name.equals("local")) {
                events.add("updated " + name + "=" + newValue);
            }
        }

        @Override
        public void sessionIdChanged(Session session, String oldSessionId) {
            events.add("renamed " + oldSessionId);
        }
    }

    /** The cluster's store, in memory: records by "context id", and what the adapter asked of it. */
    static final class MemoryStore implements SharedSessions.Store {
        final Map<String, byte[]> records = new ConcurrentHashMap<>();
        final Map<String, Long> keepSeconds = new ConcurrentHashMap<>();
        final List<String> loads = new CopyOnWriteArrayList<>();
        final List<String> keptLocal = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        volatile boolean failingSaves;
        volatile int maxRecord = Integer.MAX_VALUE;
        final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public byte[] load(String context, String id) {
            loads.add(id);
            if (failing) {
                throw new IllegalStateException("the store did not answer within store-timeout");
            }
            return records.get(context + " " + id);
        }

        @Override
        public boolean save(String context, String id, byte[] record, long keep) {
            if (failing || failingSaves) {
                throw new IllegalStateException("the store did not answer within store-timeout");
            }
            if (record.length > maxRecord) {
                refusals.incrementAndGet();
                return false;
            }
            records.put(context + " " + id, record);
            keepSeconds.put(context + " " + id, keep);
            return true;
        }

        @Override
        public void remove(String context, String id) {
            records.remove(context + " " + id);
        }

        @Override
        public void keptLocal(String server, String context, String reason) {
            keptLocal.add(server + " " + context + ": " + reason);
        }

        @Override
        public void log(String line) {
            logs.add(line);
        }
    }
}
