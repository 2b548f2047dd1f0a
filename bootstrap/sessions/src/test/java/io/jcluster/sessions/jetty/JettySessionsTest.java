package io.jcluster.sessions.jetty;

import io.jcluster.sessions.MemoryStore;
import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.SessionRecord;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real Jetty servers (two "workers") on 127.0.0.1:0 share one in-memory store through {@link JettySessions},
 * installed as the agent's advice does: on the session manager, before it starts.
 */
class JettySessionsTest {

    private final MemoryStore store = new MemoryStore();
    private final List<Worker> workers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String cookie;

    @BeforeEach
    void start() throws Exception {
        SharedSessions.install(store);
        workers.add(new Worker("a"));
        workers.add(new Worker("b"));
    }

    @AfterEach
    void stop() throws Exception {
        for (Worker worker : workers) {
            worker.server.stop();
        }
        SharedSessions.install(null);
    }

    @Test
    void theCountGoesOnWhicheverWorkerAnswers() throws Exception {
        for (int i = 1; i <= 8; i++) {
            assertEquals("count=" + i + " worker=" + (i % 2 == 1 ? "a" : "b"), get(workers.get((i - 1) % 2), ""));
        }
        assertEquals(1, workers.get(0).created.get(), "sessionCreated fires where the session was created");
        assertEquals(0, workers.get(1).created.get(), "not where it is loaded");
        assertEquals(1, store.records.size());
        assertEquals(8, store.saves.get(), "one save per request");
        assertTrue(store.keptLocal.isEmpty() && store.log.isEmpty(), store.log.toString());
    }

    @Test
    void idCreationTimeAndLastAccessComeFromTheRecord() throws Exception {
        String first = get(workers.get(0), "&times");
        Thread.sleep(20);
        String second = get(workers.get(1), "&times");
        String[] a = first.split(" ");
        String[] b = second.split(" ");
        assertEquals(a[2], b[2], "the same session id");
        assertEquals(a[3], b[3], "the same creation time");
        assertEquals("new=true", a[5]);
        assertEquals("new=false", b[5]);
        // lastAccessed on the second request is the first request's access time, which is its creation time
        assertEquals(a[3].replace("created", "accessed"), b[4]);
    }

    @Test
    void invalidationHoldsOnEveryWorker() throws Exception {
        get(workers.get(0), "");
        get(workers.get(1), "");
        assertEquals("invalidated worker=a", get(workers.get(0), "&invalidate"));
        assertEquals(1, workers.get(0).destroyed.get(), "sessionDestroyed fires once, where invalidate() ran");
        assertTrue(store.records.isEmpty(), "the record is gone");
        assertEquals("count=1 worker=b", get(workers.get(1), ""), "the other worker does not find it");
        assertEquals(0, workers.get(1).destroyed.get());
    }

    @Test
    void aTimedOutSessionExpiresOnTheWorkerThatLoadsIt() throws Exception {
        assertEquals("count=1 worker=a", get(workers.get(0), "&timeout=1"));
        String stale = cookie;
        Thread.sleep(2_100);
        assertEquals("count=1 worker=b", get(workers.get(1), ""), "a new session: the old one timed out");
        assertEquals(1, workers.get(1).destroyed.get(), "sessionDestroyed fires where it was found expired");
        assertEquals(0, workers.get(0).destroyed.get());
        assertFalse(cookie.equals(stale), "a new id");
        assertEquals(1, store.records.size(), "only the new session's record");
        assertNull(store.records.get("/ " + stale.split("\\.")[0]));
    }

    @Test
    void aSessionWithANonSerializableAttributeStaysOnItsWorker() throws Exception {
        assertEquals("count=1 worker=a", get(workers.get(0), ""));
        assertEquals(1, store.records.size());
        assertEquals("count=2 worker=a", get(workers.get(0), "&local"));
        assertEquals(1, store.keptLocal.size(), store.keptLocal.toString());
        String warning = store.keptLocal.get(0);
        assertTrue(warning.startsWith("jetty /: ") && warning.contains("'local'")
                && warning.contains(Unserializable.class.getName()), warning);
        assertTrue(store.records.isEmpty(), "its shared copy is gone: no worker may serve an older one");
        assertEquals("count=3 worker=a", get(workers.get(0), ""), "it keeps working on its worker");
        assertEquals("count=4 worker=a", get(workers.get(0), "&local"));
        assertEquals(1, store.keptLocal.size(), "warned once");
        String kept = cookie;
        assertEquals("count=1 worker=b", get(workers.get(1), ""), "another worker does not have it");
        cookie = kept;
        assertEquals("count=5 worker=a", get(workers.get(0), "&unlocal"), "shareable again");
        assertEquals("count=6 worker=b", get(workers.get(1), ""), "and shared again");
    }

    @Test
    void anExpiredSessionKeptOnItsWorkerIsScavengedWithItsListeners() throws Exception {
        assertEquals("count=1 worker=a", get(workers.get(0), "&local&timeout=1"));
        assertEquals(1, store.keptLocal.size());
        Thread.sleep(1_100);
        workers.get(0).context.getSessionHandler().scavenge(); // what Jetty's HouseKeeper runs every 10 minutes
        assertEquals(1, workers.get(0).destroyed.get(), "sessionDestroyed fired as it was scavenged");
        assertEquals("count=1 worker=a", get(workers.get(0), ""), "it is gone");
        assertEquals(1, workers.get(0).destroyed.get());
    }

    @Test
    void aChangedSessionIdMovesTheRecord() throws Exception {
        get(workers.get(0), "");
        String before = cookie;
        assertEquals("count=2 worker=b", get(workers.get(1), "&renew"));
        assertFalse(before.equals(cookie), "a new id");
        String renewed = cookie;
        assertEquals(1, store.records.size(), "the old id's record is gone");
        assertEquals("count=3 worker=a", get(workers.get(0), ""), "the new id finds the session everywhere");
        cookie = before;
        assertEquals("count=1 worker=b", get(workers.get(1), ""), "the old id finds nothing");
        assertFalse(renewed.equals(cookie));
    }

    @Test
    void aRecordLargerThanTheStoreTakesStaysOnItsWorker() throws Exception {
        store.maxRecord = 10;
        assertEquals("count=1 worker=a", get(workers.get(0), ""));
        assertEquals("count=2 worker=a", get(workers.get(0), ""));
        assertFalse(store.keptLocal.isEmpty());
        assertTrue(store.records.isEmpty());
    }

    @Test
    void theSaveIsDoneBeforeTheResponseReachesTheClient() throws Exception {
        get(workers.get(0), "");
        // the servlet sends its whole response, then takes 500 ms more before it returns
        assertEquals("count=2 worker=a", get(workers.get(0), "&slow"));
        assertEquals(2, count(storedRecord()), "the write is stored when the client has the response");
        long before = storedRecord().lastAccessedTime();
        Thread.sleep(20);
        assertEquals("count=2 worker=b", get(workers.get(1), "&read&slow"));
        assertTrue(storedRecord().lastAccessedTime() > before,
                "a request that only reads moves the last access, stored before the response too");
    }

    @Test
    void aStoreThatDoesNotAnswerFailsTheRequestRatherThanStartANewSession() throws Exception {
        get(workers.get(0), "");
        store.failing = true;
        HttpResponse<String> response = send(workers.get(1), "");
        assertEquals(500, response.statusCode(), response.body());
        assertEquals(1, store.log.size(), store.log.toString());
        assertTrue(store.log.get(0).contains("did not answer a session load"), store.log.get(0));
        assertEquals(0, workers.get(1).created.get(), "no new session");
        for (int i = 0; i < 3; i++) {
            assertEquals(500, send(workers.get(1), "").statusCode());
        }
        assertEquals(1, store.log.size(), "a store that is down fails every request, but the log holds back: "
                + store.log);
        store.failing = false;
        assertEquals("count=2 worker=b", get(workers.get(1), ""), "the session is intact");
    }

    @Test
    void anInvalidationTheStoreDoesNotTakeFailsTheRequest() throws Exception {
        get(workers.get(0), "");
        HttpResponse<String> response = send(workers.get(0), "&invalidate&down-first");
        assertEquals(500, response.statusCode(), "a logout that did not happen must not look done");
        assertTrue(store.log.get(0).contains("did not remove an invalidated session"), store.log.toString());
        store.failing = false;
        assertEquals("count=2 worker=b", get(workers.get(1), ""), "the session is still there, as the 500 said");
        assertEquals("count=3 worker=a", get(workers.get(0), ""), "on its first worker too, loaded afresh");
    }

    @Test
    void aStoreThatDoesNotTakeASaveLetsTheResponseGo() throws Exception {
        get(workers.get(0), "");
        // the store goes down after this request loaded its session: its save fails, the response does not
        assertEquals("count=2 worker=a", get(workers.get(0), "&down-after-load"));
        assertEquals(1, store.log.size(), store.log.toString());
        assertTrue(store.log.get(0).contains("did not take a session"), store.log.get(0));
        store.failing = false;
    }

    @Test
    void attributesAreReadWithTheWebAppsClassLoader() throws Exception {
        assertEquals("count=1 worker=a payload=own-loader", get(workers.get(0), "&payload"));
        assertEquals("count=2 worker=b payload=own-loader", get(workers.get(1), "&payload-check"),
                "worker b's copy is of worker b's web app class");
    }

    private SessionRecord storedRecord() throws IOException {
        assertEquals(1, store.records.size());
        return SessionRecord.decode(store.records.values().iterator().next());
    }

    private static int count(SessionRecord record) throws Exception {
        return (Integer) SessionRecord.deserialize(record.attributes().get("count"),
                JettySessionsTest.class.getClassLoader());
    }

    private String get(Worker worker, String query) throws Exception {
        HttpResponse<String> response = send(worker, query);
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private HttpResponse<String> send(Worker worker, String query) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + worker.port() + "/session-count?x" + query))
                .timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            request.header("Cookie", "JSESSIONID=" + cookie);
        }
        HttpResponse<String> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        response.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("JSESSIONID="))
                .forEach(value -> cookie = value.substring("JSESSIONID=".length()).split(";")[0]);
        return response;
    }

    /** Not Serializable: a session holding one cannot be shared. */
    static final class Unserializable {
    }

    /** A session counter servlet (the same switches as the sample apps'), on one Jetty. */
    final class Worker {
        final Server server = new Server();
        final ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger destroyed = new AtomicInteger();

        Worker(String name) throws Exception {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            context.setContextPath("/");
            // a web app's own loader: it alone defines Payload for this context (the bootstrap loader its parent)
            context.setClassLoader(new URLClassLoader("webapp-" + name,
                    new URL[]{Payload.class.getProtectionDomain().getCodeSource().getLocation()}, null));
            context.addServlet(new ServletHolder(new Counter(name)), "/session-count");
            context.getSessionHandler().addEventListener(new HttpSessionListener() {
                @Override
                public void sessionCreated(HttpSessionEvent event) {
                    created.incrementAndGet();
                }

                @Override
                public void sessionDestroyed(HttpSessionEvent event) {
                    destroyed.incrementAndGet();
                }
            });
            server.setHandler(context);
            new JettySessions().accept(context.getSessionHandler()); // what the advice does as it starts
            server.start();
        }

        int port() {
            return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        }
    }

    /** Answers {@code count=N worker=W}; the query's switches say what else to do. */
    final class Counter extends HttpServlet {
        private final String name;

        Counter(String name) {
            this.name = name;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String query = request.getQueryString();
            if (query.contains("invalidate")) {
                HttpSession session = request.getSession(false);
                if (query.contains("down-first")) {
                    store.failing = true;
                }
                if (session != null) {
                    session.invalidate();
                }
                response.getWriter().print("invalidated worker=" + name);
                return;
            }
            HttpSession session = request.getSession(true);
            if (query.contains("renew")) {
                request.changeSessionId();
            }
            if (query.contains("down-after-load")) {
                store.failing = true;
            }
            if (query.contains("timeout=")) {
                session.setMaxInactiveInterval(Integer.parseInt(query.substring(query.indexOf("timeout=") + 8)));
            }
            if (query.contains("unlocal")) {
                session.removeAttribute("local");
            } else if (query.contains("local")) {
                session.setAttribute("local", new Unserializable());
            }
            Integer count = (Integer) session.getAttribute("count");
            if (!query.contains("read")) {
                count = count == null ? 1 : count + 1;
                session.setAttribute("count", count);
            }
            String body = "count=" + count + " worker=" + name;
            if (query.contains("payload")) {
                ClassLoader webApp = request.getServletContext().getClassLoader();
                if (!query.contains("payload-check")) {
                    try {
                        session.setAttribute("payload", Class.forName(Payload.class.getName(), true, webApp)
                                .getConstructor().newInstance());
                    } catch (ReflectiveOperationException e) {
                        throw new IOException(e);
                    }
                }
                Object payload = session.getAttribute("payload");
                body += " payload=" + (payload.getClass().getClassLoader() == webApp ? "own-loader"
                        : payload.getClass().getClassLoader().getName());
            }
            if (query.contains("times")) {
                body += " " + session.getId() + " created=" + session.getCreationTime() + " accessed="
                        + session.getLastAccessedTime() + " new=" + session.isNew();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
            if (query.contains("slow")) {
                response.flushBuffer(); // the client has the whole response now
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
