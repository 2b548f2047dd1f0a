package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 2 of shared sessions: with {@code store=redis://...} two clusters (as on two hosts) share one real
 * redis-server, so one browser's session counts on across both, and the count survives a restart of both clusters
 * (the records live in Redis). The embedded Tomcat sample's /session-count under processes=2, mode=http,
 * round-robin, no sticky; and, measured, what two concurrent requests of one session on two workers do (the last
 * writer wins, per session). Skipped loudly when redis-server is missing (RedisServer).
 */
@Timeout(300)
class SharedSessionsRedisIT {

    private static final String PATH = "/session-count";

    @Test
    void twoClustersShareSessionsInRedisAndTheCountSurvivesARestartOfBoth(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            String options = "processes=2,mode=http,strategy=round-robin,sessions=shared,store=" + redis.uri();
            String cookie;
            int count;
            int portA = FreePorts.tcp();
            int portB = FreePorts.tcp();
            int adminA = FreePorts.tcp();
            int adminB = FreePorts.tcp();
            try (ClusterProcess a = start(portA, adminA, options); ClusterProcess b = start(portB, adminB, options)) {
                awaitReady(a, portA, adminA);
                awaitReady(b, portB, adminB);
                SessionCounter onA = new SessionCounter(portA, PATH);
                assertEquals(Set.of(0, 1), onA.countOn(0, 6), "1..6 on both workers of cluster A");
                cookie = onA.cookie();
                SessionCounter onB = new SessionCounter(portB, PATH).withCookie(cookie);
                assertEquals(Set.of(0, 1), onB.countOn(6, 6), "7..12 on both workers of cluster B, same session");
                count = 12;
                for (int i = 0; i < 8; i++) { // one request to each cluster in turn
                    SessionCounter next = new SessionCounter(i % 2 == 0 ? portA : portB, PATH).withCookie(cookie);
                    next.countOn(count, 1);
                    count++;
                    assertEquals(cookie, next.cookie(), "the session keeps its id on either cluster");
                }
                System.out.println("[it] sessions over " + redis + ": 1.." + count + " with one cookie on 2 clusters"
                        + " x 2 workers");
                count = lastWriterWins(portA, cookie, count);
                assertSessionCounts(adminA, a);
                assertSessionCounts(adminB, b);
            } // both clusters killed (SIGKILL, every pid)

            int portC = FreePorts.tcp();
            int portD = FreePorts.tcp();
            int adminC = FreePorts.tcp();
            int adminD = FreePorts.tcp();
            try (ClusterProcess c = start(portC, adminC, options); ClusterProcess d = start(portD, adminD, options)) {
                awaitReady(c, portC, adminC);
                awaitReady(d, portD, adminD);
                assertEquals(Set.of(0, 1), new SessionCounter(portC, PATH).withCookie(cookie).countOn(count, 4),
                        "after a restart of both clusters the count goes on");
                count += 4;
                assertEquals(Set.of(0, 1), new SessionCounter(portD, PATH).withCookie(cookie).countOn(count, 4));
                count += 4;
                System.out.println("[it] sessions over " + redis + ": up to " + count + " after both clusters were"
                        + " killed and started again");
            }
        }
    }

    /**
     * docs/sessions.md, rule 2, measured: two requests of one session at the same time on the two workers (round-robin
     * sends the second to the other worker) both load count N and both save N + 1: the last writer wins, per session,
     * and one increment is lost. Returns the count after them.
     */
    private static int lastWriterWins(int port, String cookie, int count) throws Exception {
        URI slow = URI.create("http://127.0.0.1:" + port + PATH + "?sleep=1000");
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<SessionCounter.Hit> first = two.submit(() -> new SessionCounter(port, PATH).withCookie(cookie)
                    .send(slow));
            Thread.sleep(200); // the first has loaded the record and sleeps
            Future<SessionCounter.Hit> second = two.submit(() -> new SessionCounter(port, PATH).withCookie(cookie)
                    .send(slow));
            SessionCounter.Hit a = first.get(30, TimeUnit.SECONDS);
            SessionCounter.Hit b = second.get(30, TimeUnit.SECONDS);
            assertEquals(Set.of(0, 1), Set.of(a.worker(), b.worker()), "one on each worker: " + a + " " + b);
            assertEquals(count + 1, a.count(), a.body());
            assertEquals(count + 1, b.count(), "both loaded " + count + ": " + b.body());
        } finally {
            two.shutdownNow();
        }
        new SessionCounter(port, PATH).withCookie(cookie).countOn(count + 1, 1);
        System.out.println("[it] sessions: two concurrent increments of count " + count + " on two workers gave "
                + (count + 1) + " (last writer wins per session)");
        return count + 2;
    }

    private static ClusterProcess start(int port, int admin, String options) throws Exception {
        return ClusterProcess.on(ClusterApps.JDK).agentArgs(options + ",admin=127.0.0.1:" + admin)
                .launch(Stack.TOMCAT_NIO.launch(port).toArray(String[]::new)).start();
    }

    private static void awaitReady(ClusterProcess cluster, int port, int admin) throws Exception {
        cluster.awaitLine("^\\[jcluster\\] listening on \\S+:" + port + " -> 2 workers", STARTUP);
        new Admin(admin, null).awaitAllReady(2, STARTUP);
    }

    /** /status and /metrics count what the workers did with the session store; Redis cannot tell its size cheaply. */
    private static void assertSessionCounts(int admin, ClusterProcess cluster) throws Exception {
        Admin endpoint = new Admin(admin, null);
        long writes = 0;
        long deadline = System.nanoTime() + STARTUP.toNanos();
        String status = "";
        while (writes < 10 && System.nanoTime() < deadline) { // workers report once a second
            status = endpoint.get("/status").body();
            writes = number(status, "\"writes\":(\\d+)");
            ClusterProcess.sleep(200);
        }
        assertTrue(writes >= 10, "each cluster wrote its 10 requests' records: " + status + "\n" + cluster.describe());
        assertTrue(status.contains("\"sessions\":{\"stored\":-1,"), "Redis does not count records: " + status);
        assertTrue(number(status, "\"reads\":(\\d+)") >= 9, status);
        assertEquals(0, number(status, "\"storeFailures\":(\\d+)"), status);
        String metrics = endpoint.get("/metrics").body();
        Set<String> families = new HashSet<>();
        Matcher family = Pattern.compile("(?m)^# TYPE (jcluster_sessions_\\w+) ").matcher(metrics);
        while (family.find()) {
            families.add(family.group(1));
        }
        assertEquals(Set.of("jcluster_sessions_reads_total", "jcluster_sessions_read_bytes_total",
                "jcluster_sessions_writes_total", "jcluster_sessions_written_bytes_total",
                "jcluster_sessions_removes_total", "jcluster_sessions_kept_local_total",
                "jcluster_sessions_store_failures_total"), families, metrics);
    }

    private static long number(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
