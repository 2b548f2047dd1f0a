package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mode=http: requests, not connections, are balanced; the app sees who connected; HTTP's framing corner cases
 * come through; bad requests get their status; a big upload streams through without piling up in the parent.
 * The parent runs with Netty's leak detector at PARANOID, and its output must not report a leak.
 */
@Timeout(300)
class HttpProxyIT {

    /** Netty's system properties are relocated with it in the agent jar. */
    static final String PARANOID_LEAK_DETECTION = "-Dio.jcluster.shaded.io.netty.leakDetection.level=paranoid";

    /** On {@link Jdk#both()}: one client connection relayed to two workers in turn, on each transport. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void requestsOnOneKeepAliveConnectionAlternateBetweenWorkers(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port, "processes=2,mode=http,strategy=round-robin")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.endsWith("-> 2 workers (round-robin, http, " + jdk.expectedTransport() + ")"), listening);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            List<Long> pids = new ArrayList<>();
            try (Http.KeepAlive connection = Http.keepAlive(port)) {
                for (int i = 0; i < 20; i++) {
                    Http.Response response = connection.get("/");
                    assertEquals(200, response.status(), response.toString());
                    pids.add(response.pid());
                }
            }
            assertEquals(Set.copyOf(workers.values()), Set.copyOf(pids), "both workers answer on one connection: " + pids);
            for (int i = 1; i < pids.size(); i++) {
                assertNotEquals(pids.get(i - 1), pids.get(i), "round-robin alternates per request: " + pids);
            }
        }
    }

    /** One JDK: the head is rewritten by the parent's own code, the same bytes on every JDK and transport. */
    @Test
    void theAppSeesForwardedHeadersAndNoHopByHopHeaders() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port, "processes=2,mode=http")) {
            cluster.awaitAnswering(port, 2, STARTUP);
            String headers = raw(port, "GET /headers HTTP/1.1\r\nHost: app.example:8080\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\nForwarded: for=203.0.113.7\r\n"
                    + "X-Forwarded-Proto: https\r\nConnection: close, X-Secret\r\nX-Secret: hop\r\n"
                    + "Keep-Alive: timeout=5\r\nTE: trailers\r\n\r\n");
            assertTrue(headers.startsWith("HTTP/1.1 200"), headers);
            assertTrue(headers.contains("\nx-forwarded-for: 127.0.0.1\n"), "a client's own is replaced: " + headers);
            assertTrue(headers.contains("\nx-forwarded-proto: http\n"), "what the client used to reach jcluster: " + headers);
            assertTrue(headers.contains("\nx-forwarded-host: app.example:8080\n"), headers);
            assertTrue(headers.contains("\nx-forwarded-port: " + port + "\n"), headers);
            assertTrue(headers.contains("\nforwarded: for=127.0.0.1;host=\"app.example:8080\";proto=http\n"),
                    headers);
            assertTrue(headers.contains("\nhost: app.example:8080\n"), "Host is passed on: " + headers);
            for (String hop : List.of("x-secret", "keep-alive", "te")) {
                assertFalse(headers.contains("\n" + hop + ": "), hop + " is hop-by-hop: " + headers);
            }
        }
    }

    /** On {@link Jdk#both()}: pipelining, framing by close and 100-continue are flow, on each transport. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void framingCornerCasesComeThrough(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,mode=http")
                .jvmFlags(PARANOID_LEAK_DETECTION).mainClass("samples.web.WebProbe").args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 2, STARTUP);

            // pipelined: three requests in one write, answered in order (204, HEAD and 304 carry no body)
            String pipelined = raw(port, "GET /headers HTTP/1.1\r\nHost: one\r\n\r\n"
                    + "HEAD /headers HTTP/1.1\r\nHost: two\r\n\r\n"
                    + "GET /empty HTTP/1.1\r\nHost: three\r\n\r\n"
                    + "GET /not-modified HTTP/1.1\r\nHost: four\r\n\r\n"
                    + "GET /headers HTTP/1.1\r\nHost: five\r\nConnection: close\r\n\r\n");
            List<String> statuses = statusLines(pipelined);
            assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 204 No Content",
                    "HTTP/1.1 304 Not Modified", "HTTP/1.1 200 OK"), statuses, pipelined);
            int one = pipelined.indexOf("host: one");
            int five = pipelined.indexOf("host: five");
            assertTrue(one > 0 && five > one && !pipelined.contains("host: two"),
                    "bodies in order, none for HEAD: " + pipelined);

            // chunked response of ~60 KB, whole
            HttpClient client = Http.client();
            HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/chunked?lines=6000")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chunked.statusCode());
            assertEquals(6000, chunked.body().lines().count());
            assertTrue(chunked.body().endsWith("line 5999\n"));

            // HTTP/1.0 client: the chunked response is re-framed by closing
            String http10 = raw(port, "GET /chunked?lines=3 HTTP/1.0\r\n\r\n");
            assertTrue(http10.endsWith("\r\n\r\nline 0\nline 1\nline 2\n"), http10);
            assertFalse(http10.toLowerCase().contains("transfer-encoding"), http10);

            // 100-continue and a chunked upload
            byte[] body = new byte[3 * 1024 * 1024 + 17];
            HttpResponse<String> expect = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/upload")).expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("bytes " + body.length + "\n", expect.body());
            HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("bytes " + body.length + "\n", streamed.body(), "a body of unknown length goes chunked");

            assertNoLeak(cluster, port);
        }
    }

    /**
     * One JDK: the statuses are the parent's scanner's decisions and the cut-off its timer, the same on every JDK and
     * transport (the scanner's cases are unit-tested; this checks them end to end).
     */
    @Test
    void badRequestsGetTheirStatusAndSlowHeadersAreCutOff() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=1,mode=http,header-timeout=2s")
                .jvmFlags(PARANOID_LEAK_DETECTION).mainClass("samples.web.WebProbe").args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 1, STARTUP);
            assertStatus(400, raw(port, "NOT A REQUEST\r\n\r\n"));
            assertStatus(400, raw(port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"));
            assertStatus(414, raw(port, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertStatus(431, raw(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(17_000) + "\r\n\r\n"));

            // slowloris: one header byte per 500 ms never completes a header block; cut off after 2 s
            long start = System.nanoTime();
            String slow = slowloris(port, Duration.ofSeconds(8));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertStatus(408, slow);
            assertTrue(seconds >= 1.5 && seconds < 6, "cut off after header-timeout=2s, took " + seconds + " s");
            assertTrue(slow.contains("header-timeout"), "the body says what happened: " + slow);

            // the parent survived all of it
            assertEquals(200, Http.fresh(port, "/").status());
            assertNoLeak(cluster, port);
        }
    }

    /** On {@link Jdk#both()}: back pressure is the transport's (auto-read off and on), so each transport. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void aOneGibUploadStreamsThroughWithoutBufferingInTheParent(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port, "processes=1,mode=http")) {
            cluster.awaitAnswering(port, 1, STARTUP);
            long before = rssKib(cluster.pid());
            AtomicLong peak = new AtomicLong(before);
            long size = 1L << 30;
            CompletableFuture<HttpResponse<String>> upload = Http.client().sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/upload")).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)), size)).build(),
                    HttpResponse.BodyHandlers.ofString());
            while (!upload.isDone()) {
                peak.accumulateAndGet(rssKib(cluster.pid()), Math::max);
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertEquals("bytes " + size + "\n", upload.get().body());
            long grewMib = (peak.get() - before) / 1024;
            System.out.println("[it] parent RSS grew by " + grewMib + " MiB during a 1 GiB upload");
            assertTrue(grewMib < 100, "the parent must not buffer the upload: RSS grew by " + grewMib + " MiB");
        }
    }

    static void assertStatus(int status, String response) {
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), "expected " + status + ": " + response);
        assertTrue(response.contains("\r\n\r\njcluster: "), "a plain-text body says what happened: " + response);
    }

    /** Scans the parent's output for Netty's leak reports after a GC (reports are made when leaks are collected). */
    static void assertNoLeak(ClusterProcess cluster, int port) throws Exception {
        gc(cluster);
        for (int i = 0; i < 20; i++) {
            Http.fresh(port, "/"); // leak reports come out on the next allocations
        }
        ClusterProcess.sleep(500);
        assertFalse(cluster.output().stream().anyMatch(line -> line.contains("LEAK:")),
                "Netty reported a leak\n" + cluster.describe());
    }

    /** For apps that are not HTTP: the GC alone, then a look. */
    static void assertNoLeakAfterGc(ClusterProcess cluster) throws Exception {
        gc(cluster);
        ClusterProcess.sleep(500);
        assertFalse(cluster.output().stream().anyMatch(line -> line.contains("LEAK:")),
                "Netty reported a leak\n" + cluster.describe());
    }

    private static void gc(ClusterProcess cluster) throws Exception {
        // the cluster's own JDK: attaching across JDK versions is not guaranteed
        String java = cluster.command().stream().filter(arg -> arg.endsWith("/bin/java")).findFirst().orElseThrow();
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new AssertionError("no jcmd beside " + jcmd.getParent() + ": cannot force the GC that leak reports need");
        }
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(cluster.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(gc.waitFor(20, TimeUnit.SECONDS), "jcmd GC.run finished");
    }

    static List<String> statusLines(String responses) {
        List<String> statuses = new ArrayList<>();
        Matcher matcher = Pattern.compile("HTTP/1\\.[01] \\d{3} [^\r]*").matcher(responses);
        while (matcher.find()) {
            statuses.add(matcher.group());
        }
        return statuses;
    }

    /** Writes {@code request} on a new connection and reads until the server closes it. */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String slowloris(int port, Duration limit) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) limit.toMillis());
            byte[] request = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + limit.toNanos();
            for (int i = 0; i < request.length && System.nanoTime() < deadline; i++) {
                try {
                    socket.getOutputStream().write(request[i]);
                    socket.getOutputStream().flush();
                } catch (IOException closed) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(500);
                if (in.available() > 0) {
                    break;
                }
            }
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** {@code size} zero bytes, made as they are read. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
