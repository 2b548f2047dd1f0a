package io.jcluster.agent.http.h2;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import static io.jcluster.agent.http.h2.H2ConnectionTest.connect;
import static io.jcluster.agent.http.h2.H2ConnectionTest.limits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's HTTP/1.1 response bytes as frames ({@link ResponseFrames}), a request's fields that must never become
 * HTTP/1.1 bytes, and the request body's flow control, on one connection driven by raw frames.
 */
class H2StreamFramesTest {

    private final H2ConnectionTest fixture = new H2ConnectionTest();

    private H2TestClient answered(String response, Http2Headers request) {
        H2TestClient client = connect(limits(100), fixture.answering(response));
        client.headers(1, request, true).send();
        return client;
    }

    private static String head(H2TestClient client, int stream) {
        return client.frames.stream().filter(f -> f.startsWith("HEADERS " + stream + " ")).findFirst().orElseThrow();
    }

    @Test
    void theHeadLosesItsConnectionSpecificFieldsAndItsNamesAreLowercase() {
        H2TestClient client = answered("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: x\r\nUpgrade: h2c\r\nX-Thing: V\r\nContent-Type: text/plain\r\nContent-Length: 2"
                + "\r\n\r\nhi", H2TestClient.get("/"));
        String head = head(client, 1);
        assertTrue(head.contains("x-thing: V") && head.contains("content-type: text/plain")
                && head.contains("content-length: 2"), head);
        for (String gone : new String[] {"connection", "keep-alive", "proxy-connection", "upgrade", "X-Thing"}) {
            assertFalse(head.contains(gone + ":"), gone + " in " + head); // RFC 9113 section 8.2.2
        }
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    @Test
    void aChunkedBodyGoesAsItsDataOnlyAndItsLastChunkEndsTheStream() {
        H2TestClient client = answered("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-trailer: t\r\n\r\n", H2TestClient.get("/"));
        assertFalse(head(client, 1).contains("transfer-encoding"), head(client, 1));
        assertEquals("hello world", client.bodies.toString());
        assertTrue(client.frames.get(client.frames.size() - 1).startsWith("HEADERS 1 :status=null end"),
                client.frames::toString); // the trailer section
    }

    /**
     * A chunked response's trailer section is the stream's last HEADERS frame, its END_STREAM (RFC 9113 section 8.1):
     * names lowercased, the connection-specific fields left out as in a head (section 8.2.2); it may arrive in pieces.
     */
    @Test
    void aChunkedResponsesTrailersAreAHeadersFrameThatEndsTheStream() {
        H2TestClient client = connect(limits(100), fixture.answering(null));
        client.headers(1, H2TestClient.get("/"), true).send();
        H2Stream stream = fixture.streams.get(0).stream;
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0;x=1\r\n"
                + "X-Checksum:  abc \r\nConnection: close\r\nTE: trailers\r\ngrpc-status: 0\r\n\r\n";
        int cut = response.indexOf("Checksum") + 3;
        stream.write(io.netty.buffer.Unpooled.copiedBuffer(response.substring(0, cut), java.nio.charset.StandardCharsets.ISO_8859_1));
        stream.write(io.netty.buffer.Unpooled.copiedBuffer(response.substring(cut), java.nio.charset.StandardCharsets.ISO_8859_1));
        stream.flush();
        client.receive();
        assertEquals("hello", client.bodies.toString());
        assertTrue(client.frames.contains("DATA 1 5"), client.frames::toString);
        String last = client.frames.get(client.frames.size() - 1);
        assertTrue(last.startsWith("HEADERS 1 :status=null end"), client.frames::toString);
        assertTrue(last.contains("x-checksum: abc") && last.contains("grpc-status: 0"), last);
        assertFalse(last.contains("connection") || last.contains("te:") || last.contains("X-Checksum"), last);
    }

    @Test
    void aTrailerSectionOfOnlyConnectionSpecificFieldsEndsTheStreamWithData() {
        H2TestClient client = answered("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\nConnection: close\r\n\r\n", H2TestClient.get("/"));
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
        assertEquals(1, client.frames.stream().filter(f -> f.startsWith("HEADERS 1 ")).count(), client.frames::toString);
    }

    private H2TestClient posting(Http2Headers trailers) {
        H2TestClient client = connect(limits(100), fixture.answering(null));
        client.headers(1, H2TestClient.get("/up").method("POST"), false).data(1, "abc", false)
                .headers(1, trailers, true).send();
        return client;
    }

    /** A client's trailers on a body without content-length are the chunked request's trailer section. */
    @Test
    void aRequestsTrailersAreTheChunkedBodysTrailerSection() {
        H2TestClient client = posting(new DefaultHttp2Headers(false).add("x-sum", "1").add("x-more", "a b"));
        String request = fixture.streams.get(0).got.toString();
        assertTrue(request.contains("transfer-encoding: chunked\r\n"), request);
        assertTrue(request.endsWith("\r\n\r\n3\r\nabc\r\n0\r\nx-sum: 1\r\nx-more: a b\r\n\r\n"), request);
        assertFalse(client.sawFrame("RST 1"), client.frames::toString);
    }

    /**
     * Trailers are checked as the head's fields: a pseudo-header field is malformed (RFC 9113 section 8.1), a value
     * with CR, LF or NUL or an uppercase name too (section 8.2.1); none reaches the worker as a trailer line (a CR LF
     * would end the trailer section and start another request: smuggling).
     */
    @Test
    void aMalformedTrailerResetsTheStreamAndNeverReachesTheProxy() {
        Http2Headers[] bad = {new DefaultHttp2Headers(false).add(":path", "/admin"),
                new DefaultHttp2Headers(false).add("x-a", "1\r\n\r\nGET /admin HTTP/1.1"),
                new DefaultHttp2Headers(false).add("x-a", "1\0"), new DefaultHttp2Headers(false).add("X-Up", "1")};
        for (Http2Headers trailers : bad) {
            fixture.streams.clear();
            H2TestClient client = posting(trailers);
            assertTrue(client.sawFrame("RST 1 PROTOCOL_ERROR") || client.sawFrame("GOAWAY"), client.frames::toString);
            String request = fixture.streams.get(0).got.toString();
            assertFalse(request.contains("0\r\n") || request.contains("admin"), request);
        }
    }

    @Test
    void aRequestsTrailersAfterAContentLengthBodyAreDropped() {
        H2TestClient client = connect(limits(100), fixture.answering(null));
        client.headers(1, H2TestClient.get("/up").method("POST").set("content-length", "3"), false)
                .data(1, "abc", false).headers(1, new DefaultHttp2Headers(false).add("x-sum", "1"), true).send();
        String request = fixture.streams.get(0).got.toString();
        assertTrue(request.endsWith("\r\n\r\nabc"), request);
    }

    @Test
    void anInterimResponseIsAHeadersFrameThatDoesNotEndTheStream() {
        H2TestClient client = answered("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", H2TestClient.get("/"));
        assertTrue(client.sawFrame("HEADERS 1 :status=103 [") || client.sawFrame("HEADERS 1 :status=103 Default"),
                client.frames::toString);
        assertFalse(client.sawFrame("HEADERS 1 :status=103 end"), client.frames::toString);
        assertTrue(client.sawFrame("HEADERS 1 :status=200"), client.frames::toString);
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    @Test
    void theResponseToHeadHasNoData() {
        H2TestClient client = answered("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
                H2TestClient.get("/").method("HEAD"));
        assertTrue(client.sawFrame("HEADERS 1 :status=200 end"), client.frames::toString);
        assertFalse(client.sawFrame("DATA 1"), client.frames::toString);
        assertTrue(head(client, 1).contains("content-length: 100"), head(client, 1));
    }

    @Test
    void aNoContentResponseEndsWithItsHead() {
        H2TestClient client = answered("HTTP/1.1 204 No Content\r\n\r\n", H2TestClient.get("/"));
        assertTrue(client.sawFrame("HEADERS 1 :status=204 end"), client.frames::toString);
    }

    /**
     * HPACK carries any byte: a value with CR LF would be a second HTTP/1.1 line to the proxy's scanner (request
     * smuggling). Netty 4.2's decoder already refuses such a value (RST_STREAM, then GOAWAY); {@link RequestHead}
     * refuses it again before any byte is written ({@link RequestHeadTest} fails without that check). Either way
     * nothing reaches the proxy.
     */
    @Test
    void aFieldValueWithCrLfNeverReachesTheProxy() {
        for (String value : new String[] {"a\r\nTransfer-Encoding: chunked", "a\nx: y", "a\0"}) {
            fixture.streams.clear();
            H2TestClient client = connect(limits(100), fixture.answering(H2ConnectionTest.OK));
            Http2Headers request = new DefaultHttp2Headers(false).method("POST").scheme("http").path("/")
                    .authority("example.com").add("x-smuggle", value);
            client.headers(1, request, false).data(1, "0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n", true).send();
            assertTrue(client.sawFrame("RST 1 PROTOCOL_ERROR") || client.sawFrame("GOAWAY"), client.frames::toString);
            assertTrue(fixture.streams.isEmpty(), "nothing reached the proxy");
        }
    }

    @Test
    void anUppercaseFieldNameResetsTheStream() {
        H2TestClient client = connect(limits(100), fixture.answering(H2ConnectionTest.OK));
        client.headers(1, new DefaultHttp2Headers(false).method("GET").scheme("http").path("/")
                .authority("example.com").add("X-Upper", "v"), true).send();
        assertTrue(client.sawFrame("RST 1 PROTOCOL_ERROR") || client.sawFrame("GOAWAY"), client.frames::toString);
        assertTrue(fixture.streams.isEmpty());
    }

    /** The request body waits (bounded by the stream's window) until the proxy takes it; only then does it reopen. */
    @Test
    void theStreamsWindowReopensOnlyAsTheProxyTakesTheBody() {
        H2TestClient client = connect(limits(100), stream -> {
            H2ConnectionTest.FakeProxy proxy = new H2ConnectionTest.FakeProxy(stream, null);
            proxy.reading = false; // its worker takes nothing yet
            fixture.streams.add(proxy);
            return proxy;
        });
        String part = "x".repeat(16_000);
        // the stream stays open (more is to come), so that its window matters
        client.headers(1, H2TestClient.get("/up").method("POST").set("content-length", "100000"), false)
                .data(1, part, false).data(1, part, false).data(1, part, false).send();
        H2ConnectionTest.FakeProxy proxy = fixture.streams.get(0);
        assertTrue(proxy.got.toString().endsWith("\r\n\r\n"), "the head only: " + proxy.got.length());
        assertFalse(client.sawFrame("WINDOW_UPDATE 1 "), client.frames::toString);

        proxy.reading = true;
        proxy.stream.read();
        client.receive();
        assertTrue(proxy.got.toString().endsWith(part + part + part), "the body once asked for");
        assertTrue(client.sawFrame("WINDOW_UPDATE 1 "), client.frames::toString);
    }

    /** Sequential streams of one connection are served by one stream object (and its handler): none per stream. */
    @Test
    void sequentialStreamsReuseOneStreamObject() {
        H2TestClient client = connect(limits(100), fixture.answering(H2ConnectionTest.OK));
        for (int i = 0; i < 20; i++) {
            client.headers(1 + 2 * i, H2TestClient.get("/" + i), true).send();
            assertTrue(client.frames.contains("DATA " + (1 + 2 * i) + " 2 end"), client.frames::toString);
        }
        assertEquals(1, fixture.streams.size());
        assertEquals(20, fixture.streams.get(0).streamsServed);
    }
}
