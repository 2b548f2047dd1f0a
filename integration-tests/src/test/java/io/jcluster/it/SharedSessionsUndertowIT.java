package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sessions=shared on Undertow: the core-handler session counter of the Undertow sample app (SessionAttachmentHandler,
 * InMemorySessionManager, SessionCookieConfig; /session-count), unmodified, under
 * {@code processes=2,mode=http,strategy=round-robin,sessions=shared} without sticky routing. Acceptance 1 (the count
 * survives alternating workers, kill -9, a rolling reload and scale 4) and 3 (invalidation and timeout hold on every
 * worker; a non-serializable attribute gives one warning and the session keeps working on its own worker). The
 * adapter does not differ per JDK: JDK 17 only.
 */
@Timeout(300)
class SharedSessionsUndertowIT {

    private static final String PATH = "/session-count";

    private static ClusterProcess start(int port, int adminPort) throws IOException {
        ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17())
                .agentArgs("processes=2,mode=http,strategy=round-robin,sessions=shared,admin=127.0.0.1:" + adminPort)
                .launch(Stack.UNDERTOW.launch(port).toArray(String[]::new)).start();
        cluster.awaitWorkers(2, STARTUP);
        cluster.awaitAnswering(port, 2, STARTUP);
        return cluster;
    }

    @Test
    void theCountSurvivesAlternatingWorkersAKillARollingReloadAndScaling() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = start(port, adminPort)) {
            int count = new SessionCounter(port, PATH).assertSurvivesEverything(cluster, adminPort);
            assertEquals(56, count, cluster.describe());
        }
    }

    @Test
    void invalidationAndTimeoutHoldOnEveryWorkerAndAnUnshareableSessionStaysOnItsWorker() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = start(port, adminPort)) {
            // invalidate(): the session is gone on both workers
            SessionCounter browser = new SessionCounter(port, PATH);
            assertEquals(java.util.Set.of(0, 1), browser.countOn(0, 4));
            String invalidated = browser.cookie();
            SessionCounter.Hit bye = browser.send(URI.create("http://127.0.0.1:" + port + PATH + "?invalidate"));
            assertEquals(200, bye.status(), bye.body());
            assertTrue(bye.body().startsWith("invalidated"), bye.body());
            assertNewSessionOnBothWorkers(port, invalidated, "after invalidate() on worker " + bye.body());

            // timeout: 2 s without a request ends it, on whichever worker sees it next
            SessionCounter timed = new SessionCounter(port, PATH);
            SessionCounter.Hit first = timed.send(URI.create("http://127.0.0.1:" + port + PATH + "?timeout=2"));
            assertEquals(1, first.count(), first.body());
            assertEquals(2, timed.next().count(), "within its timeout the session lives on the other worker");
            String expired = timed.cookie();
            Thread.sleep(3_500);
            assertNewSessionOnBothWorkers(port, expired, "after its 2 s timeout");

            // a non-serializable attribute: one warning, and the session keeps counting on the worker that holds it
            SessionCounter local = new SessionCounter(port, PATH);
            assertEquals(1, local.next().count());
            SessionCounter.Hit kept = local.send(URI.create("http://127.0.0.1:" + port + PATH + "?local"));
            assertEquals(2, kept.count(), kept.body());
            int holder = kept.worker();
            String id = local.cookie();
            Pattern warning = Pattern.compile("^(?:\\[w\\d+\\] )?\\[jcluster\\] worker (\\d+): .*undertow.*'local'.*"
                    + "SessionCounterHandler\\$Unshareable.*");
            Matcher said = cluster.awaitLine(warning.pattern(), STARTUP);
            assertEquals(holder, Integer.parseInt(said.group(1)), "the worker that holds it says so: " + said.group());
            int expected = 3;
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                // each request with the kept session's cookie, wherever round-robin sends it
                SessionCounter.Hit hit = new SessionCounter(port, PATH).withCookie(id).next();
                seen.add(hit.count() + "@w" + hit.worker());
                assertEquals(200, hit.status(), hit.body());
                if (hit.worker() == holder) {
                    assertEquals(expected++, hit.count(), "the holder counts on: " + seen);
                } else {
                    assertEquals(1, hit.count(), "the other worker has no copy of it: " + seen);
                }
            }
            assertTrue(expected >= 5, "the holder served at least two of those requests: " + seen);
            long warnings = cluster.output().stream().filter(line -> warning.matcher(line).matches()).count();
            assertEquals(1, warnings, "one warning for that context and reason:\n" + cluster.describe());
        }
    }

    /** Requests with the session's old cookie on both workers (round-robin) each start a new session. */
    private static void assertNewSessionOnBothWorkers(int port, String oldCookie, String when) throws Exception {
        java.util.Set<Integer> workers = new java.util.HashSet<>();
        for (int i = 0; i < 2; i++) {
            SessionCounter stale = new SessionCounter(port, PATH).withCookie(oldCookie);
            SessionCounter.Hit hit = stale.next();
            assertEquals(200, hit.status(), hit.body());
            assertEquals(1, hit.count(), when + ", worker " + hit.worker() + " starts a new session: " + hit.body());
            assertNotEquals(oldCookie, stale.cookie(), "with a new id");
            workers.add(hit.worker());
        }
        assertEquals(java.util.Set.of(0, 1), workers, "both workers were asked");
    }
}
