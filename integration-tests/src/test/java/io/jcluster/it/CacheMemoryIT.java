package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Acceptance 4 of the response cache: 10,000 distinct cacheable 100 KiB responses (1,000 MiB) through cache=16m keep
 * what the cache accounts for within 16 MiB, and the parent's resident memory grows by a bounded amount (measured and
 * printed; README and docs/cache.md quote it). One JDK: what is measured is the cache's bound, not a JDK's behaviour.
 */
@Timeout(300)
class CacheMemoryIT {

    private static final int RESPONSES = 10_000;
    private static final int SIZE = 100 * 1024;
    private static final long BOUND = 16L << 20;
    private static final int CLIENTS = 2;
    /**
     * The parent's RSS may grow by this much while 1,000 MiB of cacheable responses pass: the 16 MiB the cache keeps,
     * the malloc arenas and Netty pools the traffic warms, garbage between collections. A cache without a bound would
     * grow it by ~1,000 MiB.
     */
    private static final long ALLOWED_GROWTH_KIB = 192 * 1024;

    @Test
    void tenThousandDistinctResponsesStayWithinTheBound() throws Exception {
        Jdk jdk = Jdk.all().findFirst().orElseThrow();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        String token = "cache-memory";
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=1,mode=http,cache=16m,admin=127.0.0.1:" + adminPort + ",admin-token=" + token)
                .mainClass("samples.cache.CacheableServer").args(Integer.toString(port), Integer.toString(SIZE))
                .start()) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            Admin admin = new Admin(adminPort, token);
            admin.awaitAllReady(1, STARTUP);
            // warm up: the pools, the JIT and the first entries, so that "before" is the parent at work
            fetch(port, "/warm/", 0, 300);
            long before = rssKib(cluster.pid());

            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int client = 0; client < CLIENTS; client++) {
                    int first = client * (RESPONSES / CLIENTS);
                    done.add(clients.submit(() -> {
                        fetch(port, "/item/", first, RESPONSES / CLIENTS);
                        return null;
                    }));
                }
                for (Future<?> each : done) {
                    each.get(240, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            long after = rssKib(cluster.pid());

            String metrics = admin.get("/metrics").body();
            long bytes = metric(metrics, "jcluster_cache_bytes");
            long entries = metric(metrics, "jcluster_cache_entries");
            long stores = metric(metrics, "jcluster_cache_stores_total");
            long evictions = metric(metrics, "jcluster_cache_evictions_total");
            System.out.printf("[it] cache=16m after %d distinct %d KiB responses: %d entries, %d bytes accounted"
                            + " (bound %d), %d stores, %d evictions; parent RSS %d KiB before, %d KiB after (+%d KiB)%n",
                    RESPONSES, SIZE / 1024, entries, bytes, BOUND, stores, evictions, before, after, after - before);
            assertEquals(BOUND, metric(metrics, "jcluster_cache_max_bytes"));
            assertTrue(bytes <= BOUND, "the cache accounts " + bytes + " bytes, over cache=16m");
            assertTrue(bytes > BOUND / 2, "the cache should be near full, holds " + bytes + " bytes");
            assertTrue(stores >= RESPONSES, "every response was storable: " + stores + " stores");
            assertEquals(stores - entries, evictions, "what is not held was evicted (none purged or replaced)");
            assertTrue(entries * (long) SIZE <= BOUND, entries + " entries of " + SIZE + " bytes");
            assertTrue(after - before < ALLOWED_GROWTH_KIB, "the parent grew by " + (after - before) + " KiB while "
                    + RESPONSES + " responses of " + SIZE + " bytes went through cache=16m\n" + cluster.describe());

            // and the cache still does its job: a path asked for again is served from it. Not necessarily at the
            // second request: W-TinyLFU admits a new entry over the ones it would evict only once it is asked for
            // more often than they were (each of those was asked for once)
            String xCache = null;
            for (int i = 0; i < 10 && !"HIT".equals(xCache); i++) {
                Http.Response response = Http.fresh(port, "/hot");
                assertEquals(200, response.status());
                xCache = response.header("x-cache");
            }
            assertEquals("HIT", xCache, "a path asked for 10 times was never served from the cache");
        }
    }

    /** GETs {@code count} distinct paths over one keep-alive connection, each a MISS of the full size. */
    private static void fetch(int port, String prefix, int first, int count) throws IOException {
        try (Http.KeepAlive connection = Http.keepAlive(port)) {
            for (int i = first; i < first + count; i++) {
                Http.Response response = connection.get(prefix + i);
                assertEquals(200, response.status(), prefix + i);
                assertEquals(SIZE, response.body().length(), prefix + i);
                assertEquals("MISS", response.header("x-cache"), prefix + i);
            }
        }
    }

    private static long metric(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metrics);
        if (!matcher.find()) {
            throw new AssertionError("no " + name + " in\n" + metrics);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }
}
