package apps.cluster;

import io.jcluster.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPU work on the offload pool: the right answer, /ping answers while the pool is full, and a full pool says 503. */
@Timeout(60)
class OffloadTest {

    @Test
    void hashIsComputedOnThePoolAndAFullPoolAnswers503WhilePingStillAnswers() throws Exception {
        try (ClusterApp app = ClusterApp.start(0, new ClusterApp.Settings(null, 5, Duration.ofSeconds(1)))) {
            Web web = new Web(app.port());
            assertEquals(new Web.Reply(200, sha256Rounds(5000)), web.get("/hash?rounds=5000"));
            assertEquals(400, web.get("/hash?rounds=0").status());

            // fill the pool: every thread blocked, then the queue, until it refuses. A thread that has not taken
            // its first task from the queue yet frees a slot later: fill again until that settles.
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            ExecutorService pool = Cluster.offload();
            int accepted = 0;
            boolean full = false;
            try {
                for (int round = 0; round < 50 && !full; round++) {
                    accepted += fill(pool, running, release);
                    int before = running.get();
                    Thread.sleep(100);
                    int more = fill(pool, running, release);
                    accepted += more;
                    full = more == 0 && running.get() == before;
                }
                assertTrue(full, "the pool never refused in " + accepted + " tasks");
                Web.Reply refused = web.get("/hash?rounds=10");
                assertEquals(503, refused.status(), refused.body());
                assertTrue(refused.body().startsWith("offload queue full"), refused.body());
                assertEquals(new Web.Reply(200, "pong"), web.get("/ping"), "the server answers while the pool is full");
            } finally {
                release.countDown();
            }
            // the queue drains: hashing works again
            Web.Reply again = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (again == null || again.status() != 200)) {
                again = web.get("/hash?rounds=5000");
            }
            assertEquals(new Web.Reply(200, sha256Rounds(5000)), again);
        }
    }

    /** Submits blocked tasks until the pool refuses one; returns how many it took. */
    private static int fill(ExecutorService pool, AtomicInteger running, CountDownLatch release) {
        for (int accepted = 0; accepted < 100_000; accepted++) {
            try {
                pool.execute(() -> {
                    running.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } catch (RejectedExecutionException e) {
                return accepted;
            }
        }
        throw new AssertionError("the pool took 100,000 tasks without refusing one");
    }

    private static String sha256Rounds(int rounds) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = "jcluster".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < rounds; i++) {
            digest = sha.digest(digest);
        }
        return HexFormat.of().formatHex(digest);
    }
}
