package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sessions=shared on Jetty 12: the sample app's ee10 servlet (/session-count, an HttpSession counter) and Javalin's
 * ctx.sessionAttribute, under round-robin with no sticky routing, so consecutive requests of one session alternate
 * workers. One JDK: the adapter runs in the app's class loader, the same on every JDK.
 */
@Timeout(300)
class SharedSessionsJettyIT {

    private static final String SHARED = "processes=2,mode=http,strategy=round-robin,sessions=shared";

    /** Acceptance 1 on the ee10 servlet: the count survives alternation, kill -9, a rolling reload and scale 4. */
    @Test
    void aServletSessionSurvivesEverything() throws Exception {
        survivesEverything(Stack.JETTY);
    }

    /** Acceptance 1 on Javalin (Jetty 12 underneath, sessions through ctx.sessionAttribute). */
    @Test
    void aJavalinSessionSurvivesEverything() throws Exception {
        survivesEverything(Stack.JAVALIN);
    }

    /**
     * Acceptance 3: an invalidated session is gone on every worker; a timed-out one too; a session holding an
     * attribute that is not serializable gives one warning naming it and keeps working on its own worker.
     */
    @Test
    void invalidationTimeoutAndAnUnshareableAttribute() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25()).agentArgs(SHARED)
                .launch(Stack.JETTY.launch(port).toArray(String[]::new)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);

            // invalidate() on one worker: neither finds the session afterwards
            SessionCounter browser = new SessionCounter(port, "/session-count");
            assertEquals(Set.of(0, 1), browser.countOn(0, 4));
            String invalidated = browser.cookie();
            SessionCounter.Hit bye = browser.send(uri(port, "/session-count?invalidate"));
            assertTrue(bye.body().startsWith("invalidated"), bye.body());
            Set<Integer> asked = new HashSet<>();
            for (int i = 0; i < 2; i++) { // one request on each worker, with the invalidated session's cookie
                browser.withCookie(invalidated);
                SessionCounter.Hit hit = browser.next();
                assertEquals(1, hit.count(), "worker " + hit.worker() + " does not find the invalidated session");
                assertNotEquals(invalidated, browser.cookie(), "a new session, with a new id");
                asked.add(hit.worker());
            }
            assertEquals(Set.of(0, 1), asked, "both workers were asked");

            // a session that times out (1 s) is gone on every worker
            SessionCounter timed = new SessionCounter(port, "/session-count");
            assertEquals(1, timed.send(uri(port, "/session-count?timeout=1")).count());
            assertEquals(2, timed.next().count(), "alive within its timeout, on the other worker");
            String expired = timed.cookie();
            ClusterProcess.sleep(2_500);
            Set<Integer> fresh = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                timed.withCookie(expired);
                SessionCounter.Hit hit = timed.next();
                assertEquals(1, hit.count(), "worker " + hit.worker() + " finds the session expired");
                fresh.add(hit.worker());
            }
            assertEquals(Set.of(0, 1), fresh, "both workers were asked");

            // a non-serializable attribute: one warning naming it; the session stays on its worker and counts on there
            SessionCounter local = new SessionCounter(port, "/session-count");
            local.countOn(0, 2);
            SessionCounter.Hit pinned = local.send(uri(port, "/session-count?local"));
            assertEquals(3, pinned.count(), pinned.body());
            cluster.awaitLine("sessions=shared: jetty context '/': attribute 'local' holds a"
                    + " apps.jetty.SessionCountServlet\\$Unshareable, which is not Serializable", STARTUP);
            String kept = local.cookie();
            int count = 3;
            Set<Integer> elsewhere = new HashSet<>();
            for (int i = 0; i < 6; i++) { // round-robin: half of these reach the other worker
                local.withCookie(kept);
                SessionCounter.Hit hit = local.next();
                assertEquals(200, hit.status(), hit.body());
                if (hit.worker() == pinned.worker()) {
                    assertEquals(++count, hit.count(), "the session counts on on its own worker");
                    assertEquals(kept, local.cookie(), "with its own id");
                } else {
                    assertEquals(1, hit.count(), "the other worker does not have it");
                    elsewhere.add(hit.worker());
                }
            }
            assertTrue(count >= 5 && !elsewhere.isEmpty(), "both workers were asked: up to " + count);
            long warnings = cluster.output().stream()
                    .filter(line -> line.contains("attribute 'local' holds a apps.jetty.SessionCountServlet$Unshareable"))
                    .count();
            assertEquals(1, warnings, "warned once:\n" + String.join("\n", cluster.output()));
        }
    }

    private static void survivesEverything(Stack stack) throws Exception {
        int port = FreePorts.tcp();
        int admin = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25())
                .agentArgs(SHARED + ",admin=127.0.0.1:" + admin)
                .launch(stack.launch(port).toArray(String[]::new)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            int count = new SessionCounter(port, "/session-count").assertSurvivesEverything(cluster, admin);
            assertEquals(56, count);
        }
    }

    private static java.net.URI uri(int port, String path) {
        return java.net.URI.create("http://127.0.0.1:" + port + path);
    }
}
