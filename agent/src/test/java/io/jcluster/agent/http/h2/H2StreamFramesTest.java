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
        assertTrue(client.frames.get(client.frames.size() - 1).endsWith(" end"), client.frames::toString);
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
