package io.jcluster.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The request-smuggling and resource attacks of issue 11, each end to end against the JDK's HttpServer
 * (samples.web.RequestRecorder, which records every request it is handed) behind mode=http: a request hidden in
 * another's body must never reach the app, Host rules hold, an h2c upgrade goes on as a plain request, and a
 * stalled body is released after body-timeout. One JDK: the rules are the parent's, not the JDK's.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpSmugglingIT {

    private ClusterProcess cluster;
    private int port;

    @BeforeAll
    void start() {
        port = FreePorts.tcp();
        try {
            cluster = ClusterProcess.on(Jdk.jdk17()).agentArgs("processes=1,mode=http,body-timeout=1s")
                    .jvmFlags(HttpProxyIT.PARANOID_LEAK_DETECTION).mainClass("samples.web.RequestRecorder")
                    .args(Integer.toString(port)).start();
        } catch (IOException e) {
            throw new AssertionError("cannot launch the cluster", e);
        }
        cluster.awaitAnswering(port, "/warm-up", 1, STARTUP);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            try {
                HttpProxyIT.assertNoLeak(cluster, port);
            } finally {
                cluster.close();
            }
        }
    }

    @Test
    void aHeaderThatConnectionNamesIsNoWayToDropTheFraming() throws Exception {
        // Content-Length named in Connection used to be dropped as hop-by-hop: the worker read the body as a
        // second request that jcluster never saw
        String hidden = "GET /smuggled-by-connection HTTP/1.1\r\nHost: x\r\n\r\n";
        String response = exchange("POST /connection-cl HTTP/1.1\r\nHost: x\r\nContent-Length: " + hidden.length()
                + "\r\nConnection: close, content-length\r\n\r\n" + hidden);
        assertAppNeverSaw("/smuggled-by-connection");
        assertEquals(List.of("HTTP/1.1 200 OK"), HttpProxyIT.statusLines(response), response);
        assertTrue(response.contains("\ncontent-length: " + hidden.length() + "\n")
                && response.contains("\nbody " + hidden.length() + "\n"), "the app got the body whole: " + response);

        String host = exchange("GET /connection-host HTTP/1.1\r\nHost: app.example\r\nConnection: close, Host\r\n\r\n");
        assertTrue(host.contains("\nhost: app.example\n"), "the app still sees the Host: " + host);
    }

    @Test
    void aBareLfAfterAChunkExtensionIs400() throws Exception {
        // jcluster used to end the size line at the LF; the JDK's server reads on to the next CRLF, so the two
        // disagree on where the chunks are, and a request hidden in chunk data reaches the app
        String hidden = "0\r\n\r\nGET /smuggled-by-bare-lf HTTP/1.1\r\nHost: x\r\n\r\n";
        String body = "8;x\nZZ\r\nabcd\r\n" + Integer.toHexString(hidden.length()) + "\r\n" + hidden + "\r\n0\r\n\r\n";
        String response = exchange("POST /bare-lf HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + body);
        assertAppNeverSaw("/smuggled-by-bare-lf");
        HttpProxyIT.assertStatus(400, response);
        assertTrue(response.contains("bare LF"), response);
        assertAppNeverSaw("/bare-lf");
    }

    @Test
    void aChunkSizeAbove2GiBIs400() throws Exception {
        // 100000008 hex: jcluster read 4 GiB of data to come; the JDK's server reads it into an int, as 8
        String body = "100000008\r\nabcdefgh\r\n0\r\n\r\nGET /smuggled-by-size HTTP/1.1\r\nHost: x\r\n\r\n";
        String response = exchange("POST /big-chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + body);
        assertAppNeverSaw("/smuggled-by-size");
        HttpProxyIT.assertStatus(400, response);
        assertAppNeverSaw("/big-chunk");
    }

    @Test
    void anHttp11RequestNeedsExactlyOneHost() throws Exception {
        HttpProxyIT.assertStatus(400, exchange("GET /no-host HTTP/1.1\r\nConnection: close\r\n\r\n"));
        HttpProxyIT.assertStatus(400, exchange("GET /two-hosts HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n"
                + "Connection: close\r\n\r\n"));
        assertAppNeverSaw("/no-host");
        assertAppNeverSaw("/two-hosts");
        // HTTP/1.0 needs none: the parent supplies one
        String http10 = exchange("GET /http10-no-host HTTP/1.0\r\n\r\n");
        assertTrue(http10.startsWith("HTTP/1.1 200 ") && http10.contains("\nhost: "), http10);
    }

    @Test
    void anH2cUpgradeGoesOnAsAPlainRequest() throws Exception {
        String response = exchange("GET /h2c HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings, close\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 200 OK"), HttpProxyIT.statusLines(response), response);
        assertFalse(response.contains("\nupgrade:") || response.contains("\nhttp2-settings:"),
                "the app saw no upgrade to h2c: " + response);
    }

    @Test
    void aStalledBodyIsAnswered408AfterBodyTimeoutAndItsWorkerConnectionClosed() throws Exception {
        String stalled = exchange("POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        HttpProxyIT.assertStatus(408, stalled);
        assertTrue(stalled.contains("body-timeout=1000ms"), stalled);
        awaitAppSaw("POST /stalled body-error"); // the worker's connection was closed under its half-read body

        // Expect: 100-continue, and then no body at all
        String expect = exchange("POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Expect: 100-continue\r\n\r\n");
        List<String> statuses = HttpProxyIT.statusLines(expect);
        assertEquals("HTTP/1.1 408 Request Timeout", statuses.get(statuses.size() - 1), expect);
        awaitAppSaw("POST /expect body-error");
    }

    /**
     * Sends {@code request} on a new connection and reads until jcluster closes it (every request here ends its
     * connection), at most 10 s: the body-timeout is 1 s.
     */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail("the connection was still open 10 s later; received: "
                        + received.toString(StandardCharsets.ISO_8859_1));
            }
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Gives a hidden request 1 s to show up in the app's log: it would arrive within milliseconds. */
    private void assertAppNeverSaw(String target) throws Exception {
        for (int i = 0; i < 10; i++) {
            String seen = seen();
            assertFalse(seen.contains(" " + target + " "), target + " reached the app:\n" + seen);
            ClusterProcess.sleep(100);
        }
    }

    private void awaitAppSaw(String line) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (seen().contains(line)) {
                return;
            }
            ClusterProcess.sleep(100);
        }
        fail("the app never logged '" + line + "':\n" + seen());
    }

    private String seen() throws IOException {
        Http.Response response = Http.fresh(port, "/seen");
        assertEquals(200, response.status());
        return "\n" + response.body();
    }
}
