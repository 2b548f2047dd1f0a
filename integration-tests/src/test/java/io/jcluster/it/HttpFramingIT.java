package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static io.jcluster.it.HttpProxyIT.PARANOID_LEAK_DETECTION;
import static io.jcluster.it.HttpProxyIT.raw;
import static io.jcluster.it.HttpProxyIT.statusLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mode=http passes heads and bodies on as raw bytes: this checks the exact head a worker gets, and the framings a
 * real server stack rarely produces (samples.web.RawHttpServer on a bare ServerSocket): a response ended by
 * closing, bare-LF line ends, an interim 103, a Connection-named header, a broken status line; and that a request
 * that could be read two ways (Content-Length with Transfer-Encoding) never reaches a worker.
 */
@Timeout(300)
class HttpFramingIT {

    /** On {@link Jdk#both()}: framing by close is flow, on each transport; the third variant repeats epoll. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void rawFramingsComeThroughAndTheWorkerGetsTheHeadAsSent(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=1,mode=http")
                .jvmFlags(PARANOID_LEAK_DETECTION).mainClass("samples.web.RawHttpServer").args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 1, STARTUP);

            // the head the worker gets: the client's lines in their order and spelling, minus the hop-by-hop
            // ones, plus the forwarding headers; a second request on the same connection
            String echoed = raw(port, "GET /head?a=1 HTTP/1.1\r\nHost: h.example\r\nX-Keep: 1\r\n"
                    + "Connection: keep-alive, X-Drop\r\nX-Drop: 2\r\nKeep-Alive: 5\r\nX-Forwarded-Proto: https\r\n"
                    + "accept: */*\r\n\r\n"
                    + "GET /head HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n");
            String expected = "GET /head?a=1 HTTP/1.1\r\nHost: h.example\r\nX-Keep: 1\r\naccept: */*\r\n"
                    + "x-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\nx-forwarded-port: " + port + "\r\n"
                    + "x-forwarded-host: h.example\r\nforwarded: for=127.0.0.1;host=h.example;proto=http\r\n"
                    + "x-real-ip: 127.0.0.1\r\n\r\n";
            assertTrue(echoed.contains("\r\n\r\n" + expected), "the worker got exactly this head:\n" + expected
                    + "\nechoed:\n" + echoed);
            assertEquals(2, statusLines(echoed).size(), echoed);

            // a body the worker ends by closing: an HTTP/1.1 client gets it chunked and keeps its connection
            HttpResponse<String> delimited = Http.client().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/close-delimited")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, delimited.statusCode());
            assertEquals("line 0\nline 1\nline 2\n", delimited.body());
            String kept = raw(port, "GET /close-delimited HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), statusLines(kept), kept);
            assertTrue(kept.contains("transfer-encoding: chunked\r\n"), kept);
            assertTrue(kept.contains("\r\n0\r\n\r\nHTTP/1.1 200 OK"), "the last chunk, then the next response: " + kept);
            // ... and an HTTP/1.0 client gets it as it came, ended by closing
            String http10 = raw(port, "GET /close-delimited HTTP/1.0\r\n\r\n");
            assertTrue(http10.endsWith("\r\n\r\nline 0\nline 1\nline 2\n"), http10);
            assertTrue(http10.contains("connection: close\r\n"), http10);
            assertFalse(http10.toLowerCase().contains("transfer-encoding"), http10);

            // bare-LF line ends are accepted and passed on as CRLF
            String bareLf = raw(port, "GET /bare-lf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(bareLf.startsWith("HTTP/1.1 200 OK\r\n") && bareLf.contains("\r\nX-A: b\r\n")
                    && bareLf.endsWith("\r\n\r\nabc"), bareLf);

            // an interim 103 is passed on before the response
            String hints = raw(port, "GET /early-hints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(List.of("HTTP/1.1 103 Early Hints", "HTTP/1.1 200 OK"), statusLines(hints), hints);
            assertTrue(hints.contains("Link: </a.css>; rel=preload\r\n") && hints.endsWith("\r\n\r\nok"), hints);

            // a header the worker's Connection names is hop-by-hop too
            String named = raw(port, "GET /named-hop HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(named.contains("X-Public: shown\r\n"), named);
            assertFalse(named.contains("X-Private") || named.contains("secret"), named);

            // a response that is not HTTP: 502, said in one line
            String malformed = raw(port, "GET /malformed HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpProxyIT.assertStatus(502, malformed);
            assertTrue(malformed.contains("malformed response"), malformed);

            // request smuggling: a request whose end depends on which length header one believes is refused
            String smuggle = raw(port, "POST /head HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /head HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpProxyIT.assertStatus(400, smuggle);
            assertEquals(1, statusLines(smuggle).size(), "nothing reached the worker: " + smuggle);

            HttpProxyIT.assertNoLeak(cluster, port);
        }
    }
}
