package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cache= in front of real workers (samples.cache.CacheOrigin, which counts the requests that reach it across the
 * cluster): freshness, revalidation by 304, Vary, what is never served from the cache, invalidation by POST,
 * stale-if-error with every worker down (issue 16, acceptance 2), and coalescing of concurrent misses (acceptance 3).
 * One JDK: the cache is the parent's own code, the same on every JDK.
 */
@Timeout(300)
class ResponseCacheIT {

    record Answer(int status, Map<String, String> headers, String body) {
        String xCache() {
            return headers.get("x-cache");
        }
    }

    private static ClusterProcess start(int port, Path counts, String agentArgs) throws IOException {
        return ClusterProcess.on(Jdk.temurin25()).agentArgs(agentArgs).mainClass("samples.cache.CacheOrigin")
                .args(Integer.toString(port), counts.toString()).start();
    }

    /** How many requests reached the app's endpoint {@code name}, across the workers. */
    private static long reached(Path counts, String name) throws IOException {
        try {
            return Files.size(counts.resolve(name));
        } catch (NoSuchFileException none) {
            return 0;
        }
    }

    @Test
    void theCacheAnswersByRfc9111() throws Exception {
        Path counts = Files.createTempDirectory("jcluster-cache-counts");
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = start(port, counts, "processes=2,mode=http,cache=16m,restart-delay=30s")) {
            cluster.awaitAnswering(port, 2, STARTUP);

            // max-age=2: 100 requests within it reach the app once
            Answer first = call(port, "GET", "/fresh");
            long firstAt = System.nanoTime();
            assertEquals("MISS", first.xCache(), first.toString());
            int sent = 1;
            while (sent < 100 && System.nanoTime() - firstAt < TimeUnit.MILLISECONDS.toNanos(1500)) {
                Answer hit = call(port, "GET", "/fresh");
                assertEquals(200, hit.status());
                assertEquals("HIT", hit.xCache(), hit.toString());
                assertEquals(first.body(), hit.body());
                sent++;
            }
            assertTrue(sent >= 10, "only " + sent + " requests within 1.5 s");
            assertEquals(1, reached(counts, "fresh"), sent + " requests");

            // after expiry the next request revalidates: the app's 304 refreshes the entry, the client gets it whole
            Thread.sleep(Math.max(0, 2600 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAt)));
            Answer revalidated = call(port, "GET", "/fresh");
            assertEquals(200, revalidated.status(), revalidated.toString());
            assertEquals("REVALIDATED", revalidated.xCache(), revalidated.toString());
            assertEquals(first.body(), revalidated.body());
            assertEquals(1, reached(counts, "fresh-304"));
            assertEquals(1, reached(counts, "fresh"), "the 304 refreshed the stored response");
            assertEquals("HIT", call(port, "GET", "/fresh").xCache(), "fresh again for max-age=2");

            // Vary: Accept-Encoding keeps one variant per value
            for (int round = 0; round < 3; round++) {
                assertEquals("encoding gzip\n", call(port, "GET", "/vary", "Accept-Encoding: gzip").body());
                assertEquals("encoding identity\n", call(port, "GET", "/vary", "Accept-Encoding: identity").body());
            }
            assertEquals(2, reached(counts, "vary"));

            // never from the cache: private, no-store, Set-Cookie, and a request with Authorization
            for (String path : List.of("/private", "/nostore", "/cookie")) {
                for (int i = 0; i < 3; i++) {
                    Answer answer = call(port, "GET", path);
                    assertEquals(200, answer.status());
                    assertEquals("MISS", answer.xCache(), path + ": " + answer);
                }
                assertEquals(3, reached(counts, path.substring(1)), path);
            }
            assertEquals("HIT", cachedTwice(port, "/auth"));
            for (int i = 0; i < 3; i++) {
                Answer answer = call(port, "GET", "/auth", "Authorization: Bearer user" + i);
                assertEquals("for Bearer user" + i + "\n", answer.body(), "the user's own answer");
                assertEquals("BYPASS", answer.xCache());
            }
            assertEquals(4, reached(counts, "auth"), "one plain fill, three authorized requests");

            // a POST invalidates its URI
            assertEquals("HIT", cachedTwice(port, "/item"));
            assertEquals(1, reached(counts, "item"));
            Answer posted = call(port, "POST", "/item");
            assertEquals(200, posted.status());
            assertEquals("MISS", call(port, "GET", "/item").xCache(), "invalidated by the POST");
            assertEquals(2, reached(counts, "item"));

            // stale-if-error: every worker down, the stale page is served
            assertEquals("HIT", cachedTwice(port, "/sie"));
            Thread.sleep(2100); // max-age=1: stale now
            for (long pid : cluster.awaitWorkers(2, STARTUP).values()) {
                Signals.kill(pid);
            }
            cluster.awaitLine("^\\[jcluster\\] worker 0 \\(pid \\d+\\) exited", Duration.ofSeconds(10));
            cluster.awaitLine("^\\[jcluster\\] worker 1 \\(pid \\d+\\) exited", Duration.ofSeconds(10));
            Answer down = call(port, "GET", "/fresh-not-stored");
            assertTrue(down.status() >= 500, "no worker, nothing stored: an error (" + down + ")");
            Answer stale = call(port, "GET", "/sie");
            assertEquals(200, stale.status(), stale.toString());
            assertEquals("STALE", stale.xCache(), stale.toString());
            assertTrue(stale.body().startsWith("kept from pid "), stale.body());
            assertEquals(1, reached(counts, "sie"));
        }
    }

    @Test
    void concurrentFirstRequestsReachTheAppOnce() throws Exception {
        Path counts = Files.createTempDirectory("jcluster-cache-counts");
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = start(port, counts, "processes=2,mode=http,cache=16m")) {
            cluster.awaitAnswering(port, 2, STARTUP);
            int clients = 50;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Answer>> answers = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    answers.add(pool.submit(() -> {
                        go.await();
                        return call(port, "GET", "/slow");
                    }));
                }
                go.countDown();
                int misses = 0;
                for (Future<Answer> future : answers) {
                    Answer answer = future.get(60, TimeUnit.SECONDS);
                    assertEquals(200, answer.status(), answer.toString());
                    assertTrue(answer.body().startsWith("slow from pid "), answer.body());
                    if ("MISS".equals(answer.xCache())) {
                        misses++;
                    } else {
                        assertEquals("HIT", answer.xCache(), answer.toString());
                    }
                }
                assertEquals(1, misses, "one request went to a worker");
                assertEquals(1, reached(counts, "slow"), clients + " concurrent first requests of a 500 ms endpoint");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Two GETs of {@code path}: the first fills, the second's X-Cache is returned. */
    private static String cachedTwice(int port, String path) throws IOException {
        assertEquals("MISS", call(port, "GET", path).xCache());
        return call(port, "GET", path).xCache();
    }

    /** One request on a connection of its own (Connection: close), read to the end. */
    static Answer call(int port, String method, String path, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        if (method.equals("POST")) {
            request.append("Content-Length: 0\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Http.CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) Http.READ_TIMEOUT.toMillis());
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("no response head: " + text);
            }
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
        }
    }
}
