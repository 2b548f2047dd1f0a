package io.jcluster.agent.http;

import io.jcluster.agent.http.proxy.ForwardedHeaders;
import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-head rules of RFC 9112 that keep jcluster and a worker agreeing on what a request is: each malformed
 * head is refused with 400 for the right reason wherever its bytes are split; the heads next to them are accepted.
 * Also: framing headers and Host survive a Connection header that names them, and h2c upgrades.
 */
class RequestHeadRulesTest {

    /** A request ('|' stands for CRLF), then a fragment of the error it must get. */
    static Object[][] malformed() {
        return new Object[][]{
                {"GET / HTTP/1.1||", "without Host"},
                {"GET / HTTP/1.1|X: y||", "without Host"},
                {"GET / HTTP/1.1|Host: a|Host: a||", "more than one Host"},
                {"GET / HTTP/1.0|Host: a|host: b||", "more than one Host"},
                {"GET / HTTP/1.1|Host: a b||", "invalid Host"},
                {"GET / HTTP/1.1|Host: a/b||", "invalid Host"},
                {"GET / HTTP/1.1|Host: user@a||", "invalid Host"},
                {"GET / HTTP/1.1|Host: a\"b||", "invalid Host"},
                {"GET http://a.example/x HTTP/1.1|Host: b.example||", "differs from the authority"},
                {"GET http://a.example:81/ HTTP/1.1|Host: a.example||", "differs from the authority"},
                {"GET http://u@a.example/ HTTP/1.1|Host: a.example||", "user information"},
                {"GET http:///x HTTP/1.1|Host: a||", "without a host"},
                {"GET foo HTTP/1.1|Host: a||", "neither /path"},
                {"GET ftp://a/ HTTP/1.1|Host: a||", "neither /path"},
                {"GET * HTTP/1.1|Host: a||", "OPTIONS"},
                {"GET / HTTP/1.10|Host: a||", "unsupported HTTP version"},
                {"GET / http/1.1|Host: a||", "unsupported HTTP version"},
                {"GET / HTTP/1.1 |Host: a||", "whitespace"},
                {"GET / HTTP/01.1|Host: a||", "unsupported HTTP version"},
                {"GET / HTTP/1.2|Host: a||", "unsupported HTTP version"},
                {"GET  / HTTP/1.1|Host: a||", "whitespace or a control character in the request target"},
                {"GET /  HTTP/1.1|Host: a||", "whitespace or a control character in the request target"},
                {" GET / HTTP/1.1|Host: a||", "not METHOD TARGET VERSION"},
                {"GET / HTTP/1.1\rX|Host: a||", "bare CR in the start line"},
                {"GET / HTTP/1.1|Host: a|X\r: y||", "invalid character in a header name"},
                {"GET / HTTP/1.1|Host: a|X: a\rb||", "control character"},
                {"GET / HTTP/1.1|Host: a|X: a\u0001b||", "control character"},
                {"GET / HTTP/1.1|Host: a|X/Y: 1||", "invalid character in a header name"},
                {"GET / HTTP/1.1|Host: a|X@: 1||", "invalid character in a header name"},
                {"GET / HTTP/1.1|Host: a|X\t: 1||", "invalid character in a header name"},
                {"POST / HTTP/1.1|Host: a|Content-Length: +5||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 5 5||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 5,||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 0x5||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 5e2||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length:||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 1000000000000000000||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Content-Length: 9223372036854775808||", "invalid Content-Length"},
                {"POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked, chunked||", "other than chunked"},
                {"POST / HTTP/1.1|Host: a|Transfer-Encoding: identity||", "other than chunked"}};
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedHeadsAre400WhereverTheyAreSplit(String request, String why) {
        byte[] bytes = request.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            MessageHead head = request();
            assertEquals(MessageHead.FAILED, scan(head, bytes, split), request + " split at " + split);
            assertEquals(400, head.violation().defaultStatus(), request);
            assertTrue(head.error().contains(why), request + ": " + head.error());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET / HTTP/1.0||",
            "GET / HTTP/1.1|Host:||",
            "GET / HTTP/1.1|Host: [::1]:8080||",
            "GET / HTTP/1.1|Host: a-b.example.:80||",
            "GET HTTP://A.example/x?y HTTP/1.1|Host: a.EXAMPLE||",
            "GET https://a.example HTTP/1.1|Host: a.example||",
            "OPTIONS * HTTP/1.1|Host: a||",
            "CONNECT a.example:443 HTTP/1.1|Host: a.example:443||",
            "POST / HTTP/1.1|Host: a|Content-Length: 007||",
            "POST / HTTP/1.1|Host: a|Content-Length: 999999999999999999||",
            "POST / HTTP/1.1|Host: a|Content-Length:\t5 ||",
            "GET / HTTP/1.1|Host: a|X: caf\u00e9\tok||"})
    void wellFormedHeadsAreAccepted(String request) {
        byte[] bytes = request.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            MessageHead head = request();
            assertEquals(MessageHead.COMPLETE, scan(head, bytes, split), request + " split at " + split + ": "
                    + head.error());
            assertEquals(bytes.length, head.length());
        }
    }

    @Test
    void contentLengthIsReadAsTheNumberItSpells() {
        MessageHead head = request();
        assertEquals(MessageHead.COMPLETE, scan(head, bytes("POST / HTTP/1.1|Host: a|Content-Length: 007||"), 0));
        assertEquals(7, head.contentLength());
        head = request();
        assertEquals(MessageHead.COMPLETE, scan(head,
                bytes("POST / HTTP/1.1|Host: a|Content-Length: 999999999999999999||"), 0));
        assertEquals(999_999_999_999_999_999L, head.contentLength());
    }

    @Test
    void http10KeepsAliveOnlyWhenAskedAndNeverUpgrades() {
        MessageHead head = request();
        scan(head, bytes("GET / HTTP/1.0|Connection: keep-alive||"), 0);
        assertTrue(head.keepAlive());
        head = request();
        scan(head, bytes("GET / HTTP/1.0||"), 0);
        assertFalse(head.keepAlive());
        head = request();
        scan(head, bytes("GET / HTTP/1.0|Connection: keep-alive, close||"), 0);
        assertFalse(head.keepAlive());
        head = request();
        scan(head, bytes("GET / HTTP/1.0|Upgrade: websocket|Connection: upgrade||"), 0);
        assertFalse(head.upgrade(), "RFC 9110 section 7.8: Upgrade in an HTTP/1.0 request is ignored");
        HopByHopHeaders.drop(head, head.upgrade());
        assertEquals("GET / HTTP/1.1\r\n\r\n", written(head, true));
    }

    @Test
    void framingHeadersAndHostAreNeverDroppedBecauseConnectionNamesThem() throws Exception {
        MessageHead head = request();
        assertEquals(MessageHead.COMPLETE, scan(head, bytes("POST / HTTP/1.1|Host: a|Content-Length: 34|"
                + "Connection: content-length, HOST, transfer-encoding, upgrade, x-gone|X-Gone: 1|X-Kept: 2||"), 0));
        HopByHopHeaders.drop(head, head.upgrade());
        assertEquals("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 34\r\nX-Kept: 2\r\n\r\n", written(head, false));

        head = request();
        assertEquals(MessageHead.COMPLETE, scan(head, bytes("POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked|"
                + "Connection: Transfer-Encoding||"), 0));
        HopByHopHeaders.drop(head, false);
        assertEquals("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", written(head, false));

        // a worker's response: the client must get the Content-Length jcluster framed the body by
        MessageHead response = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_RESPONSE_HEADERS);
        assertEquals(MessageHead.COMPLETE, scan(response, bytes("HTTP/1.1 200 OK|Content-Length: 2|"
                + "Connection: content-length, x-private|X-Private: 1||"), 0));
        HopByHopHeaders.drop(response, false);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", written(response, false));
    }

    @Test
    void anH2cUpgradeIsTold() {
        MessageHead head = request();
        scan(head, bytes("GET / HTTP/1.1|Host: a|Connection: Upgrade, HTTP2-Settings|Upgrade: H2C|"
                + "HTTP2-Settings: AAMAAABkAAQAAP__|X: y||"), 0);
        assertTrue(head.upgrade());
        assertTrue(head.upgradeToH2c());
        // refused (h2c-upgrade=refuse): a plain request; Upgrade and HTTP2-Settings are gone
        HopByHopHeaders.drop(head, false);
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n", written(head, false));

        head = request();
        scan(head, bytes("GET / HTTP/1.1|Host: a|Connection: Upgrade, HTTP2-Settings|Upgrade: h2c|"
                + "HTTP2-Settings: AAMAAABkAAQAAP__||"), 0);
        // passed (h2c-upgrade=pass): both stay (HttpProxyHandler adds connection: upgrade, http2-settings)
        HopByHopHeaders.drop(head, true);
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
                written(head, false));

        head = request();
        scan(head, bytes("GET /chat HTTP/1.1|Host: a|Connection: Upgrade|Upgrade: websocket||"), 0);
        assertTrue(head.upgrade());
        assertFalse(head.upgradeToH2c(), "a WebSocket upgrade");
        head = request();
        scan(head, bytes("GET / HTTP/1.1|Host: a|Connection: Upgrade|Upgrade: websocket, h2c||"), 0);
        assertTrue(head.upgradeToH2c(), "h2c anywhere in the list");
    }

    @Test
    void forwardingHeadersStillGoOnForAnAbsoluteFormRequest() throws Exception {
        MessageHead head = request();
        assertEquals(MessageHead.COMPLETE, scan(head, bytes("GET http://a.example/x HTTP/1.1|Host: a.example||"), 0));
        ForwardedHeaders forwarded = new ForwardedHeaders(InetAddress.getByName("127.0.0.1"), false, 80, false);
        ByteBuf out = HeadWriter.begin(Unpooled.buffer().alloc(), head, forwarded.room(), false);
        forwarded.write(out, head, null);
        HeadWriter.end(out);
        assertTrue(out.toString(StandardCharsets.ISO_8859_1).contains("x-forwarded-host: a.example\r\n"));
        out.release();
    }

    private static String written(MessageHead head, boolean asHttp11) {
        ByteBuf out = HeadWriter.begin(Unpooled.buffer().alloc(), head, 0, asHttp11);
        HeadWriter.end(out);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        return text;
    }

    /** Scans {@code bytes} given in two pieces, cut at {@code split}. */
    static int scan(MessageHead head, byte[] bytes, int split) {
        ByteBuf in = Unpooled.buffer(bytes.length);
        in.writeBytes(bytes, 0, split);
        int outcome = head.scan(in);
        if (outcome == MessageHead.NEED_MORE) {
            in.writeBytes(bytes, split, bytes.length - split);
            outcome = head.scan(in);
        }
        in.release();
        return outcome;
    }

    private static byte[] bytes(String text) {
        return text.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static MessageHead request() {
        return new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_REQUEST_HEADERS);
    }
}
