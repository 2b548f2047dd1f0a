package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded store's side of shared sessions, end to end: the workers' counts reach /status, /metrics and the CLI
 * table; the parent counts the session records it holds; and when store-size is too small for the sessions, the
 * parent evicts some, counts them, and says so with what to do. The embedded Tomcat sample's /session-count, with a
 * store of 8 KiB (about 18 of its sessions) and 40 sessions.
 */
@Timeout(180)
class SharedSessionsEmbeddedStoreIT {

    private static final int SESSIONS = 40;

    @Test
    void sessionsAreCountedAndEvictionsOfAFullStoreAreSaidAndCounted() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(ClusterApps.JDK)
                .agentArgs("processes=2,mode=http,strategy=round-robin,sessions=shared,store-size=8k,max-message=1k,"
                        + "admin=127.0.0.1:" + adminPort)
                .launch(Stack.TOMCAT_NIO.launch(port).toArray(String[]::new)).start()) {
            cluster.awaitLine("^\\[jcluster\\] listening on \\S+:" + port + " -> 2 workers", STARTUP);
            Admin admin = new Admin(adminPort, null);
            admin.awaitAllReady(2, STARTUP);

            for (int i = 0; i < SESSIONS; i++) {
                new SessionCounter(port, "/session-count").countOn(0, 1); // a new session each
            }

            Matcher said = cluster.awaitLine("^\\[jcluster\\] (\\d+) live session\\(s\\) evicted from the embedded"
                    + " store since the start \\((\\d+) in all\\): the store was full, .*Raise store-size", STARTUP);
            System.out.println("[it] sessions: " + said.group());

            String metrics = "";
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (value(metrics, "jcluster_sessions_writes_total") < SESSIONS && System.nanoTime() < deadline) {
                ClusterProcess.sleep(200); // the workers report once a second
                metrics = admin.get("/metrics").body();
            }
            long writes = value(metrics, "jcluster_sessions_writes_total");
            long stored = value(metrics, "jcluster_sessions_stored");
            long evictions = value(metrics, "jcluster_sessions_evictions_total");
            System.out.println("[it] sessions: " + writes + " writes, " + stored + " stored, " + evictions
                    + " evicted with store-size=8k");
            assertEquals(SESSIONS, writes, "one save per request: " + metrics);
            assertEquals(0, value(metrics, "jcluster_sessions_reads_total"), "no request came back: " + metrics);
            assertTrue(evictions > 0 && evictions >= Long.parseLong(said.group(2)), metrics);
            assertTrue(stored > 0 && stored <= 8192 / 400, "8 KiB hold at most 20 sessions: " + metrics);
            assertEquals(SESSIONS, stored + evictions, "every session is stored or was evicted, and counted: "
                    + metrics);
            assertEquals(0, value(metrics, "jcluster_sessions_store_failures_total"), metrics);

            String table = admin.get("/status?format=table").body();
            assertTrue(table.contains("sessions: " + stored + " stored, 0 reads ("), table);
            String json = admin.get("/status").body();
            assertTrue(json.contains("\"sessions\":{\"stored\":" + stored + ",\"reads\":0,"), json);
        }
    }

    private static long value(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metrics);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
