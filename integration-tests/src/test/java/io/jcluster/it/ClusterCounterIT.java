package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 2 of the Cluster API (embedded store): 10,000 POST /count of the sample app from 8 concurrent clients,
 * spread over 4 workers (http mode: each request goes to the next worker), hand out each of 1..10,000 exactly once
 * and end at exactly 10,000; the value survives kill -9 of a worker and a rolling reload of all four, as every
 * worker (old and new) reads it.
 */
@Timeout(300)
class ClusterCounterIT {

    static final int VISITS = 10_000;
    static final int LIMIT = 5;
    static final Duration LIMIT_WINDOW = Duration.ofHours(24);

    @Test
    void tenThousandIncrementsOverFourWorkersEndAtTenThousandAndSurviveAKillAndAReload() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterApps.start(port, "processes=4,mode=http,admin=127.0.0.1:" + adminPort,
                "-Dlimit.requests=" + LIMIT, "-Dlimit.window.ms=" + LIMIT_WINDOW.toMillis())) {
            List<Long> pids = ClusterApps.awaitReady(cluster, port, 4);
            assertLimiterIsShared(port, cluster);
            assertOffloadAnswers(port);

            long started = System.nanoTime();
            Map<Long, List<Long>> byPid = ClusterApps.visits(List.of(port), 8, VISITS);
            long millis = (System.nanoTime() - started) / 1_000_000;
            Map<Long, Integer> spread = new TreeMap<>();
            byPid.forEach((pid, numbers) -> spread.put(pid, numbers.size()));
            System.out.println("[it] counter: " + VISITS + " increments in " + millis + " ms, by worker pid: " + spread);
            assertEquals(Set.copyOf(pids), spread.keySet(), "all 4 workers incremented");
            Set<Long> handedOut = byPid.values().stream().flatMap(List::stream).collect(Collectors.toSet());
            assertEquals(LongStream.rangeClosed(1, VISITS).boxed().collect(Collectors.toSet()), handedOut,
                    "each of 1.." + VISITS + " handed out exactly once");
            ClusterApps.assertEveryWorkerCounts(cluster, port, Set.copyOf(pids), VISITS);

            // kill -9 of one worker: the count lives in the parent
            int victimId = ThreadLocalRandom.current().nextInt(4);
            long victim = cluster.workerPid(victimId);
            Signals.kill(victim);
            cluster.awaitLine("^\\[jcluster\\] worker " + victimId + " \\(pid " + victim + "\\) exited", STARTUP);
            cluster.await(() -> cluster.startedWorkers().get(victimId) != victim, "worker " + victimId + " restarted", STARTUP);
            Set<Long> afterKill = new HashSet<>(cluster.startedWorkers().values());
            assertTrue(!afterKill.contains(victim));
            ClusterApps.assertEveryWorkerCounts(cluster, port, afterKill, VISITS);
            System.out.println("[it] counter: " + VISITS + " after kill -9 of worker " + victimId + " (pid " + victim
                    + "), on every worker " + afterKill);

            // a rolling reload replaces all four
            Admin.Reply reload = new Admin(adminPort, null).post("/reload");
            assertEquals(200, reload.status(), reload.body() + "\n" + cluster.describe());
            Set<Long> afterReload = new HashSet<>(cluster.startedWorkers().values());
            afterReload.forEach(pid -> assertTrue(!afterKill.contains(pid), "replaced: " + afterKill + " -> " + afterReload));
            ClusterApps.assertEveryWorkerCounts(cluster, port, afterReload, VISITS);
            ClusterApps.Visit next = ClusterApps.visit(ClusterApps.http(), port);
            assertEquals(VISITS + 1, next.number(), "counting goes on from " + VISITS);
            assertNotEquals(victim, next.pid());
            System.out.println("[it] counter: " + VISITS + " after a rolling reload, on every new worker " + afterReload);
        }
    }

    /**
     * The sample's rate limiter counts in the shared map: 12 requests of one client, balanced over 4 workers, get
     * exactly LIMIT 200s (from more than one worker) and then 429s.
     */
    private static void assertLimiterIsShared(int port, ClusterProcess cluster) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            long window = System.currentTimeMillis() / LIMIT_WINDOW.toMillis();
            String client = "it-" + System.nanoTime();
            List<Integer> statuses = new ArrayList<>();
            Set<Long> allowedBy = new HashSet<>();
            for (int i = 0; i < LIMIT + 7; i++) {
                Http.Response response = Http.fresh(port, "/limited?client=" + client);
                statuses.add(response.status());
                if (response.status() == 200) {
                    allowedBy.add(response.pid());
                }
            }
            if (window != System.currentTimeMillis() / LIMIT_WINDOW.toMillis()) {
                continue; // the window ended mid-test (midnight UTC): the counts are split, try again
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < LIMIT + 7; i++) {
                expected.add(i < LIMIT ? 200 : 429);
            }
            assertEquals(expected, statuses, "one count for the client across the workers\n" + cluster.describe());
            assertTrue(allowedBy.size() > 1, "the allowed requests were spread over workers: " + allowedBy);
            System.out.println("[it] limiter: " + LIMIT + " of " + (LIMIT + 7) + " requests allowed, by workers "
                    + allowedBy + ", the rest 429");
            return;
        }
        throw new AssertionError("two window changes in a row?");
    }

    /** GET /hash computes on a worker's offload pool: the right SHA-256 chain. */
    private static void assertOffloadAnswers(int port) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = "jcluster".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20_000; i++) {
            digest = sha.digest(digest);
        }
        Http.Response response = Http.fresh(port, "/hash?rounds=20000");
        assertEquals(200, response.status(), response.body());
        assertEquals(HexFormat.of().formatHex(digest), response.body().strip());
    }
}
