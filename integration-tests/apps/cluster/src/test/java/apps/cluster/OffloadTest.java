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

            // fill the pool: every thread blocked, then the queue, until it refuses
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Cluster.offload();
            int accepted = 0;
            boolean full = false;
            try {
                while (!full && accepted < 100_000) {
                    try {
                        pool.execute(() -> {
                            try {
                                release.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        accepted++;
                    } catch (RejectedExecutionException e) {
                        full = true;
                    }
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

    private static String sha256Rounds(int rounds) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = "jcluster".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < rounds; i++) {
            digest = sha.digest(digest);
        }
        return HexFormat.of().formatHex(digest);
    }
}
