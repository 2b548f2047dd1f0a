package io.jcluster.agent.http;

import io.jcluster.agent.http.proxy.ForwardedHeaders;
import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.proxy.Stickiness;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request/response head scanner, the hop-by-hop and forwarding rewrite, on raw bytes. */
class MessageHeadTest {

    private static final String REQUEST = "POST /orders?id=7 HTTP/1.1\r\nHost: app.example:8080\r\n"
            + "Content-Length: 5\r\nConnection: keep-alive, X-Secret\r\nX-Secret: hop\r\nTE: trailers\r\n"
            + "X-Forwarded-For: 203.0.113.7\r\nCookie: a=1; JCLUSTER=w1\r\nAccept: */*\r\n\r\nhello";

    @Test
    void aRequestHeadIsScannedWholeWhereverItsBytesAreSplit() {
        byte[] bytes = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
        int headLength = REQUEST.indexOf("\r\n\r\n") + 4;
        for (int split = 0; split <= bytes.length; split++) {
            for (int second = split; second <= bytes.length; second += Math.max(1, (bytes.length - split) / 3)) {
                MessageHead head = request();
                ByteBuf in = Unpooled.buffer();
                int outcome = MessageHead.NEED_MORE;
                int[] cuts = {split, second, bytes.length};
                int at = 0;
                for (int cut : cuts) {
                    in.writeBytes(bytes, at, cut - at);
                    at = cut;
                    if (outcome == MessageHead.NEED_MORE) {
                        outcome = head.scan(in);
                    }
                    if (at < headLength) {
                        assertEquals(MessageHead.NEED_MORE, outcome, "split at " + split + "/" + second);
                    }
                }
                assertEquals(MessageHead.COMPLETE, outcome, "split at " + split + "/" + second);
                assertEquals(headLength, head.length());
                assertEquals("POST", head.method());
                assertEquals("/orders?id=7", head.target());
                assertEquals(11, head.version());
                assertEquals(5, head.contentLength());
                assertTrue(head.keepAlive());
                assertFalse(head.chunked());
                assertFalse(head.idempotent());
                assertTrue(head.connectionNamesOthers());
                assertEquals("app.example:8080", head.value(head.first(MessageHead.HOST)));
                assertEquals("w1", Stickiness.cookie(head, "JCLUSTER"));
                in.release();
            }
        }
    }

    @Test
    void theHeadGoesOnWithoutHopByHopLinesAndWithForwardingHeaders() throws Exception {
        MessageHead head = request();
        ByteBuf in = Unpooled.copiedBuffer(REQUEST, StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        HopByHopHeaders.drop(head, false);
        ForwardedHeaders forwarded = new ForwardedHeaders(InetAddress.getByName("127.0.0.1"), false, 8080, false);
        forwarded.drop(head);
        ByteBuf out = HeadWriter.begin(Unpooled.buffer().alloc(), head, forwarded.room(), false);
        forwarded.write(out, head, null);
        HeadWriter.end(out);
        String written = out.toString(StandardCharsets.ISO_8859_1);
        assertEquals("POST /orders?id=7 HTTP/1.1\r\nHost: app.example:8080\r\nContent-Length: 5\r\n"
                + "Cookie: a=1; JCLUSTER=w1\r\nAccept: */*\r\n"
                + "x-forwarded-for: 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\nx-forwarded-port: 8080\r\n"
                + "x-forwarded-host: app.example:8080\r\n"
                + "forwarded: for=127.0.0.1;host=\"app.example:8080\";proto=http\r\nx-real-ip: 127.0.0.1\r\n\r\n",
                written);
        out.release();
        in.release();
    }

    @Test
    void anHttp10RequestIsAskedInHttp11AndBareLfLinesGetCrlf() {
        MessageHead head = request();
        ByteBuf in = Unpooled.copiedBuffer("\r\nGET /x HTTP/1.0\nConnection: keep-alive\nA: b \n\n",
                StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        assertEquals(10, head.version());
        assertTrue(head.keepAlive());
        assertTrue(head.bareLf());
        HopByHopHeaders.drop(head, false);
        ByteBuf out = HeadWriter.begin(Unpooled.buffer().alloc(), head, 0, true);
        HeadWriter.end(out);
        assertEquals("GET /x HTTP/1.1\r\nA: b\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
        out.release();
        in.release();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "NOT A REQUEST\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET / HTTP/1.1\r\n: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHo\rst: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n",
            "GET  HTTP/1.1\r\n\r\n",
            "GET /a b HTTP/1.1\r\n\r\n",
            "GET /a\u0000b HTTP/1.1\r\n\r\n",
            "GET /a\tb HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\u007fb\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"})
    void malformedRequestsAre400(String request) {
        MessageHead head = request();
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.FAILED, head.scan(in), request);
        assertEquals(400, head.violation().defaultStatus(), request + ": " + head.error());
        in.release();
    }

    @Test
    void limitsGive414And431EvenBeforeTheLineEnds() {
        MessageHead head = request();
        ByteBuf in = Unpooled.copiedBuffer("GET /" + "a".repeat(9000), StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.FAILED, head.scan(in));
        assertEquals(414, head.violation().defaultStatus());
        in.release();

        head = request();
        in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(17_000), StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.FAILED, head.scan(in));
        assertEquals(431, head.violation().defaultStatus());
        in.release();

        head = request();
        in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n" + "X-Many: 1\r\n".repeat(2000) + "\r\n", StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.FAILED, head.scan(in));
        assertEquals(431, head.violation().defaultStatus());
        in.release();

        head = request();
        in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n" + "X-Many: 1\r\n".repeat(1000) + "\r\n",
                StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in), "16 KB of headers in 1000 lines is fine");
        assertEquals(1001, head.count());
        in.release();
    }

    @Test
    void responsesTellTheirFraming() {
        MessageHead head = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n");
        assertTrue(head.chunked());
        assertEquals(-1, head.contentLength(), "Transfer-Encoding overrides Content-Length");
        assertTrue(head.dropped(1), "and Content-Length is not passed on");
        assertTrue(head.keepAlive());

        head = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertTrue(head.hasTransferEncoding());
        assertFalse(head.chunked(), "delimited by closing");

        head = response("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(head.keepAlive());
        head = response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertEquals(101, head.status());
        assertTrue(head.upgrade());
        head = response("HTTP/1.1 204\r\nConnection: close\r\n\r\n");
        assertEquals(204, head.status());
        assertFalse(head.keepAlive());

        for (String bad : new String[]{"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\r\nX\r\n\r\n",
                "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
            MessageHead failed = new MessageHead(false, 8192, 65536);
            ByteBuf in = Unpooled.copiedBuffer(bad, StandardCharsets.ISO_8859_1);
            assertEquals(MessageHead.FAILED, failed.scan(in), bad);
            assertTrue(failed.violation() != null, bad); // answered 502 whatever the rule (the caller)
            in.release();
        }
    }

    @Test
    void knownNamesAreFoundInAnyCase() {
        MessageHead head = request();
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nCONTENT-LENGTH: 0\r\nx-FORWARDED-port: 1\r\n"
                + "X-Forwarded-Host: h\r\nx-forwarded-proto: p\r\nProxy-Connection: k\r\nkeep-alive: 1\r\n"
                + "Set-Cookie: x\r\nTrailer: t\r\nUpgrade: u\r\nForwarded: f\r\nX-Forwarded-Hosts: no\r\n"
                + "HTTP2-settings: s\r\nhost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        byte[] kinds = {MessageHead.CONTENT_LENGTH, MessageHead.X_FORWARDED_PORT, MessageHead.X_FORWARDED_HOST,
                MessageHead.X_FORWARDED_PROTO, MessageHead.PROXY_CONNECTION, MessageHead.KEEP_ALIVE,
                MessageHead.SET_COOKIE, MessageHead.TRAILER, MessageHead.UPGRADE, MessageHead.FORWARDED, MessageHead.OTHER,
                MessageHead.HTTP2_SETTINGS, MessageHead.HOST};
        for (int i = 0; i < kinds.length; i++) {
            assertEquals(kinds[i], head.kind(i), "line " + i);
        }
        assertTrue(head.idempotent());
        in.release();
    }

    private static MessageHead request() {
        return new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_REQUEST_HEADERS);
    }

    private static MessageHead response(String text) {
        MessageHead head = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_RESPONSE_HEADERS);
        assertEquals(MessageHead.COMPLETE, head.scan(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1)), text);
        return head;
    }
}
