package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sessions=shared on embedded Tomcat (the tomcat sample's /session-count servlet, Tomcat's own HttpSession and
 * JSESSIONID): the count goes on over both workers, through kill -9, a rolling reload and scale 4 (acceptance 1);
 * invalidation and timeout hold on every worker and a non-serializable attribute keeps its session working on its
 * own worker, with one warning (acceptance 3); and in tcp mode too (acceptance 4). One JDK: what is tested here is
 * Tomcat's and the store's, not the JDK's.
 */
@Timeout(300)
class SharedSessionsTomcatIT {

    private static final Jdk JDK = Jdk.jdk17();
    private static final String PATH = "/session-count";
    private static final Pattern DESTROYED = Pattern.compile("destroyed=(\\d+)");

    private static ClusterProcess tomcat(int port, String agentArgs) throws IOException {
        return ClusterProcess.on(JDK).agentArgs(agentArgs)
                .launch(Stack.TOMCAT_NIO.launch(port).toArray(String[]::new)).start();
    }

    @Test
    void theCountSurvivesKillReloadAndScale() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = tomcat(port, "processes=2,mode=http,strategy=round-robin,sessions=shared,admin=127.0.0.1:"
                + adminPort)) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            int count = new SessionCounter(port, PATH).assertSurvivesEverything(cluster, adminPort);
            assertEquals(56, count);
        }
    }

    @Test
    void invalidationAndTimeoutHoldOnEveryWorkerAndAnUnshareableSessionStaysOnItsOwn() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = tomcat(port, "processes=2,mode=http,strategy=round-robin,sessions=shared")) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);

            // invalidate() on one worker: the old cookie finds no session on either worker
            SessionCounter browser = new SessionCounter(port, PATH);
            assertEquals(Set.of(0, 1), browser.countOn(0, 4));
            String invalidated = browser.cookie();
            SessionCounter.Hit invalidate = browser.send(URI.create("http://127.0.0.1:" + port + PATH + "?invalidate"));
            assertEquals(0, invalidate.count(), invalidate.body());
            Set<Integer> workers = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                SessionCounter.Hit hit = new SessionCounter(port, PATH).withCookie(invalidated).next();
                assertEquals(1, hit.count(), "after invalidate, worker " + hit.worker() + " starts a new session: " + hit.body());
                workers.add(hit.worker());
            }
            assertEquals(Set.of(0, 1), workers, "checked on both workers");

            // a timeout of 1 s: the next request after 2.5 s finds the session expired, on whichever worker
            SessionCounter timed = new SessionCounter(port, PATH);
            SessionCounter.Hit first = timed.send(URI.create("http://127.0.0.1:" + port + PATH + "?timeout=1"));
            assertEquals(1, first.count(), first.body());
            SessionCounter.Hit second = timed.next();
            assertEquals(2, second.count(), "within the timeout the count goes on: " + second.body());
            assertNotEquals(first.worker(), second.worker());
            String expired = timed.cookie();
            Map<Integer, Integer> destroyedBefore = new HashMap<>();
            destroyedBefore.put(first.worker(), destroyed(first));
            destroyedBefore.put(second.worker(), destroyed(second));
            ClusterProcess.sleep(2_500);
            int destroyedNow = 0;
            for (int i = 0; i < 2; i++) {
                SessionCounter.Hit hit = new SessionCounter(port, PATH).withCookie(expired).next();
                assertEquals(1, hit.count(), "the timed-out session is gone on worker " + hit.worker() + ": " + hit.body());
                destroyedNow += destroyed(hit) - destroyedBefore.get(hit.worker());
            }
            assertEquals(1, destroyedNow, "sessionDestroyed fired once, on the worker that found it expired");

            // an attribute that is not Serializable: one warning, and the session keeps counting on its worker
            SessionCounter local = new SessionCounter(port, PATH);
            SessionCounter.Hit made = local.send(URI.create("http://127.0.0.1:" + port + PATH + "?local"));
            assertEquals(1, made.count(), made.body());
            String cookie = local.cookie();
            cluster.awaitLine(line -> line.contains("[jcluster] worker " + made.worker() + ": sessions=shared: tomcat context '/': attribute 'local' holds a apps.tomcat.SessionCounterServlet$NotSerializable, which is not Serializable"),
                    "the warning naming the attribute and its class", STARTUP);
            int onItsWorker = 1;
            int elsewhere = 0;
            for (int i = 0; i < 8; i++) {
                SessionCounter.Hit hit = new SessionCounter(port, PATH).withCookie(cookie).next();
                assertEquals(200, hit.status(), hit.body());
                if (hit.worker() == made.worker()) {
                    onItsWorker++;
                    assertEquals(onItsWorker, hit.count(), "the local session counts on, on its worker: " + hit.body());
                } else {
                    elsewhere++;
                    assertEquals(1, hit.count(), "the other worker does not have it: " + hit.body());
                }
            }
            assertTrue(onItsWorker > 2 && elsewhere > 0, "both workers were asked: " + onItsWorker + "/" + elsewhere);
            long warnings = cluster.output().stream().filter(line -> line.contains("attribute 'local' holds a")).count();
            assertEquals(1, warnings, "one warning for that worker and reason");
        }
    }

    /** tcp mode: each connection goes to the next worker; the session is in the store, not in the connection. */
    @Test
    void theCountGoesOnInTcpMode() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = tomcat(port, "processes=2,mode=tcp,strategy=round-robin,sessions=shared")) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            String cookie = null;
            Set<Integer> workers = new HashSet<>();
            List<String> seen = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                OneConnection.Answer answer = OneConnection.get(port, PATH, cookie);
                seen.add(answer.body().trim());
                assertEquals(200, answer.status(), answer.body());
                if (answer.cookie() != null) {
                    assertTrue(cookie == null, "only the first answer sets the cookie: " + seen);
                    cookie = answer.cookie();
                }
                Matcher matcher = Pattern.compile("count=(\\d+) worker=(\\d+)").matcher(answer.body());
                assertTrue(matcher.find(), answer.body());
                assertEquals(i, Integer.parseInt(matcher.group(1)), "the count goes on: " + seen);
                workers.add(Integer.parseInt(matcher.group(2)));
            }
            assertNotNull(cookie);
            assertEquals(Set.of(0, 1), workers, "connections alternated over both workers: " + seen);
        }
    }

    private static int destroyed(SessionCounter.Hit hit) {
        Matcher matcher = DESTROYED.matcher(hit.body());
        assertTrue(matcher.find(), hit.body());
        return Integer.parseInt(matcher.group(1));
    }

    /** One HTTP/1.1 request on a connection of its own (Connection: close), so tcp mode balances every request. */
    private static final class OneConnection {
        private static final Pattern SET_COOKIE = Pattern.compile("(?im)^set-cookie:\\s*JSESSIONID=([^;\\r\\n]+)");

        record Answer(int status, String cookie, String body) {
        }

        static Answer get(int port, String path, String cookie) throws IOException {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Http.CONNECT_TIMEOUT.toMillis());
                socket.setSoTimeout((int) Http.READ_TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                        + (cookie == null ? "" : "Cookie: JSESSIONID=" + cookie + "\r\n")
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                int end = response.indexOf("\r\n\r\n");
                assertTrue(end > 0, "a whole response: " + response);
                String head = response.substring(0, end);
                int status = Integer.parseInt(head.substring(9, 12));
                Matcher set = SET_COOKIE.matcher(head);
                return new Answer(status, set.find() ? set.group(1) : null, response.substring(end + 4));
            }
        }
    }
}
