package io.jcluster.agent.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /cache/purge, the cache in /status and /metrics: the admin endpoint on a real loopback socket. */
class CacheAdminTest {

    private static final String TOKEN = "s3cret";

    private final List<String> purges = new ArrayList<>();
    private AdminServer server;
    private int port;

    private void start(boolean cacheOn) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ClusterStatus.CacheView view = cacheOn
                ? new ClusterStatus.CacheView(7, 3, 1, 2, 4, 5, 6, 8, 9, 10, 12345, 16 << 20) : null;
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", port), TOKEN, 8, new StatusOnlyCluster() {
            @Override
            public ClusterStatus status() {
                return new ClusterStatus(1000, "round-robin", "http", "nio", List.of(), List.of(), null, null, view);
            }

            @Override
            public int purgeCache(String path, boolean prefix) {
                if (!cacheOn) {
                    return -1;
                }
                purges.add((prefix ? "prefix " : "path ") + path);
                return 3;
            }
        });
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String send(String method, String target, boolean token) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + (token ? "Authorization: Bearer " + TOKEN + "\r\n" : "") + "Content-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void aPurgeByPathOrPrefixIsDoneAndCounted() throws IOException {
        start(true);
        String exact = send("POST", "/cache/purge?path=/products/42", true);
        assertEquals(200, status(exact), exact);
        assertTrue(exact.endsWith("purged 3 cached response(s) whose path is /products/42\n"), exact);
        String prefix = send("POST", "/cache/purge?prefix=/img/", true);
        assertEquals(200, status(prefix), prefix);
        assertTrue(prefix.contains("starts with /img/"), prefix);
        assertEquals(List.of("path /products/42", "prefix /img/"), purges);
    }

    @Test
    void aPurgeNeedsTheTokenAndPost() throws IOException {
        start(true);
        assertEquals(401, status(send("POST", "/cache/purge?path=/x", false)));
        String get = send("GET", "/cache/purge?path=/x", true);
        assertEquals(405, status(get), get);
        assertTrue(get.contains("Allow: POST") || get.contains("allow: POST"), get);
        assertEquals(List.of(), purges);
    }

    @Test
    void aBadPathIsRefusedWith400() throws IOException {
        start(true);
        for (String query : List.of("", "?path=", "?path=x", "?path=/a%20b", "?path=/a%3Fb", "?path=/a%0d%0ab",
                "?path=/%C3%A9", "?path=/a&prefix=/b", "?prefix=/a%23b"
                , "?path=/a%00", "?path=/a%7F", "?prefix=")) {
            String response = send("POST", "/cache/purge" + query, true);
            assertEquals(400, status(response), query + ": " + response);
        }
        assertEquals(List.of(), purges);
    }

    @Test
    void withoutACacheAPurgeIs404() throws IOException {
        start(false);
        String response = send("POST", "/cache/purge?path=/x", true);
        assertEquals(404, status(response), response);
        assertTrue(response.contains("cache=SIZE"), response);
        assertTrue(!send("GET", "/status", true).contains("\"cache\""));
        assertTrue(!send("GET", "/metrics", true).contains("jcluster_cache_"));
    }

    @Test
    void statusAndMetricsShowTheCache() throws IOException {
        start(true);
        String status = send("GET", "/status", true);
        assertTrue(status.contains("\"cache\":{\"hits\":7,\"misses\":3,\"stale\":1,\"revalidated\":2,\"bypassed\":4,"
                + "\"coalesced\":5,\"stores\":6,\"evictions\":8,\"purged\":9,\"entries\":10,\"bytes\":12345,"
                + "\"maxBytes\":16777216}"), status);
        String table = send("GET", "/status?format=table", true);
        assertTrue(table.contains("\ncache: 0.0M of 16.0M, 10 responses, hits 7 (39%), misses 3, evictions 8\n"), table);
        String metrics = send("GET", "/metrics", true);
        for (String line : List.of("jcluster_cache_requests_total{outcome=\"hit\"} 7",
                "jcluster_cache_requests_total{outcome=\"miss\"} 3", "jcluster_cache_requests_total{outcome=\"stale\"} 1",
                "jcluster_cache_requests_total{outcome=\"revalidated\"} 2",
                "jcluster_cache_requests_total{outcome=\"bypassed\"} 4",
                "jcluster_cache_requests_total{outcome=\"coalesced\"} 5", "jcluster_cache_stores_total 6",
                "jcluster_cache_evictions_total 8", "jcluster_cache_purged_total 9", "jcluster_cache_entries 10",
                "jcluster_cache_bytes 12345", "jcluster_cache_max_bytes 16777216")) {
            assertTrue(metrics.contains("\n" + line + "\n"), line + " in\n" + metrics);
        }
    }
}
