package apps.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The visit counter and the rate limiter as one process. */
@Timeout(60)
class CounterTest {

    private static final int LIMIT = 3;
    private static ClusterApp app;
    private static Web web;

    @BeforeAll
    static void start() throws Exception {
        // a long window: the test's requests all fall in one (checked below, and retried once if not)
        app = ClusterApp.start(0, new ClusterApp.Settings(null, LIMIT, Duration.ofHours(1)));
        web = new Web(app.port());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void concurrentVisitsEachGetTheirOwnNumberAndAllAreCounted() throws Exception {
        long before = Long.parseLong(web.get("/count").body());
        int threads = 4;
        int each = 100;
        Set<Long> numbers = new ConcurrentSkipListSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        Web.Reply reply = web.post("/count");
                        assertEquals(200, reply.status(), reply.body());
                        assertTrue(numbers.add(Long.parseLong(reply.body())), "number handed out twice: " + reply.body());
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + threads * each, Long.parseLong(web.get("/count").body()));
        Set<Long> expected = new TreeSet<>();
        for (long n = before + 1; n <= before + threads * each; n++) {
            expected.add(n);
        }
        assertEquals(expected, numbers, "every visit got one number of before+1..before+" + threads * each);
    }

    @Test
    void limiterAllowsLimitRequestsPerClientThenAnswers429() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            long window = System.currentTimeMillis() / Duration.ofHours(1).toMillis();
            String client = "client-" + System.nanoTime();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < LIMIT + 2; i++) {
                statuses.add(web.get("/limited?client=" + client).status());
            }
            int other = web.get("/limited?client=other-" + client).status();
            if (window != System.currentTimeMillis() / Duration.ofHours(1).toMillis()) {
                continue; // a window ended mid-test: the counts are split, try again
            }
            assertEquals(List.of(200, 200, 200, 429, 429), statuses);
            assertEquals(200, other, "another client has its own count");
            assertEquals(400, web.get("/limited").status());
            return;
        }
        throw new AssertionError("two window changes in a row?");
    }

    @Test
    void limiterCountsAgainInTheNextWindow() throws Exception {
        try (ClusterApp shortWindow = ClusterApp.start(0, new ClusterApp.Settings(null, 2, Duration.ofMillis(300)))) {
            Web client = new Web(shortWindow.port());
            String name = "short-" + System.nanoTime();
            boolean refused = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!refused && System.nanoTime() < deadline) { // 3 requests in one 300 ms window: the 3rd is refused
                refused = client.get("/limited?client=" + name).status() == 429;
            }
            assertTrue(refused, "never refused in 10 s");
            Thread.sleep(650); // past the window (and the one after)
            assertEquals(200, client.get("/limited?client=" + name).status(), "a new window counts from zero");
        }
    }
}
