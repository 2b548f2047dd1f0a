package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An HTTP/2 request's header block written as an HTTP/1.1 head (RFC 9113 section 8.3.1), and what may not be. */
class RequestHeadTest {

    private static Http2Headers request() {
        // no validation: the fields are what a hostile client's HPACK may carry
        return new DefaultHttp2Headers(false).method("GET").scheme("https").path("/p?q=1").authority("example.com");
    }

    /** The head as the proxy writes it on; null when malformed (the stream is reset); "refused: RULE" else. */
    static String write(Http2Headers headers, boolean chunked) {
        MessageHead head = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_REQUEST_HEADERS);
        int outcome = RequestHead.fill(head, headers, chunked);
        if (outcome == RequestHead.MALFORMED) {
            return null;
        }
        if (outcome == RequestHead.REFUSED) {
            return "refused: " + head.violation();
        }
        ByteBuf out = HeadWriter.begin(UnpooledByteBufAllocator.DEFAULT.heapBuffer(), head, false);
        HeadWriter.end(out);
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void pseudoHeadersMakeTheRequestLineAndHostTheOthersAreLeftOut() {
        assertEquals("GET /p?q=1 HTTP/1.1\r\nhost: example.com\r\nx-app: 1\r\n\r\n",
                write(request().add("x-app", "1"), false));
    }

    @Test
    void theAuthorityWinsOverAHostField() {
        assertEquals("GET /p?q=1 HTTP/1.1\r\nhost: example.com\r\n\r\n",
                write(request().add("host", "other.example"), false));
    }

    @Test
    void withoutAnAuthorityTheHostFieldStays() {
        Http2Headers headers = new DefaultHttp2Headers(false).method("GET").scheme("http").path("/")
                .add("host", "h.example");
        assertEquals("GET / HTTP/1.1\r\nhost: h.example\r\n\r\n", write(headers, false));
    }

    @Test
    void cookieCrumbsAreJoinedIntoOneLine() {
        // RFC 9113 section 8.2.3
        assertEquals("GET /p?q=1 HTTP/1.1\r\nhost: example.com\r\nx-a: 1\r\ncookie: a=1; b=2; c=3\r\n\r\n",
                write(request().add("cookie", "a=1").add("x-a", "1").add("cookie", "b=2").add("cookie", "c=3"),
                        false));
    }

    @Test
    void aBodyWithoutContentLengthIsChunkedOneWithItKeepsIt() {
        assertEquals("POST /p?q=1 HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n",
                write(request().method("POST"), true));
        assertEquals("POST /p?q=1 HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\n",
                write(request().method("POST").add("content-length", "3"), false));
    }

    @Test
    void aValueWithCrLfOrNulIsMalformed() {
        // each would be a second line (request smuggling: x: a\r\nTransfer-Encoding: chunked) or a truncated one
        for (String value : new String[] {"a\r\nTransfer-Encoding: chunked", "a\nb", "a\rb", "a\0b"}) {
            assertNull(write(request().add("x", value), false), value);
            assertNull(write(request().add("cookie", value), false), value);
        }
    }

    @Test
    void aNameThatIsNotALowercaseTokenIsMalformed() {
        for (String name : new String[] {"X-Upper", "a b", "a:b", "a\r\nb", "a\0", "", "é"}) {
            assertNull(write(request().add(name, "v"), false), name);
        }
    }

    @Test
    void aRequestLineThatCouldBeSplitIsMalformed() {
        assertNull(write(request().path("/a HTTP/1.1\r\nx: y"), false));
        assertNull(write(request().path("/a b"), false));
        assertNull(write(request().path(""), false));
        assertNull(write(request().method("GET /x"), false));
        assertNull(write(request().authority("a.example\r\nx: y"), false));
        assertNull(write(new DefaultHttp2Headers(false).method("GET").authority("a.example"), false)); // no :path
    }

    /**
     * The fields go through the rules of an HTTP/1.1 head (Netty's decoder refuses most of these first; these hold
     * whatever it does): framing fields a worker could read otherwise are refused.
     */
    @Test
    void framingFieldsAreReadByTheHttp11Rules() {
        assertEquals("refused: DUPLICATE_CONTENT_LENGTH",
                write(request().add("content-length", "3").add("content-length", "3"), false));
        for (String length : new String[] {"1, 1", "+1", "-1", "0x1", "1 2", "9999999999999999999"}) {
            assertEquals("refused: INVALID_CONTENT_LENGTH", write(request().add("content-length", length), false),
                    length);
        }
        assertEquals("refused: UNSUPPORTED_TRANSFER_ENCODING",
                write(request().add("transfer-encoding", "gzip, chunked"), false));
        assertEquals("refused: DUPLICATE_TRANSFER_ENCODING",
                write(request().add("transfer-encoding", "chunked"), true));
        assertEquals("refused: TRANSFER_ENCODING_AND_CONTENT_LENGTH",
                write(request().add("transfer-encoding", "chunked").add("content-length", "3"), false));
    }

    @Test
    void theHostIsReadByTheHttp11Rules() {
        Http2Headers noAuthority = new DefaultHttp2Headers(false).method("GET").scheme("http").path("/");
        assertEquals("refused: NO_HOST", write(noAuthority, false));
        assertEquals("refused: DUPLICATE_HOST",
                write(new DefaultHttp2Headers(false).method("GET").path("/").add("host", "a").add("host", "b"), false));
        assertEquals("refused: INVALID_HOST", write(request().authority("a.example/x"), false));
        assertEquals("refused: INVALID_HOST", write(request().authority("a b"), false));
        assertEquals("refused: HOST_DIFFERS_FROM_TARGET", write(request().path("http://other.example/"), false));
        for (String spaced : new String[] {" a.example", "a.example ", "a.example\t"}) {
            assertNull(write(request().authority(spaced), false), spaced); // the host line would not keep them
        }
    }

    /** The limits of an HTTP/1.1 head: the request line's and the header section's, the joined cookie line too. */
    @Test
    void theHeadsLimitsHold() {
        assertEquals("refused: START_LINE_TOO_LONG",
                write(request().path("/" + "a".repeat(HttpSettings.MAX_REQUEST_LINE)), false));
        assertEquals("refused: START_LINE_TOO_LONG",
                write(request().path("/" + "a".repeat(10 * HttpSettings.MAX_REQUEST_LINE)), false));
        assertEquals("refused: HEADERS_TOO_LARGE",
                write(request().add("x-big", "v".repeat(HttpSettings.MAX_REQUEST_HEADERS)), false));
        assertEquals("refused: HEADERS_TOO_LARGE",
                write(request().add("x-big", "v".repeat(10 * HttpSettings.MAX_REQUEST_HEADERS)), false));
        Http2Headers many = request();
        Http2Headers crumbs = request();
        for (int i = 0; i < HttpSettings.MAX_REQUEST_HEADERS / 8; i++) {
            many.add("x-" + i, "1");
            crumbs.add("cookie", "c" + i + "=1");
        }
        assertEquals("refused: HEADERS_TOO_LARGE", write(many, false));
        assertEquals("refused: HEADERS_TOO_LARGE", write(crumbs, false));
        // what is written is bounded by the limits, not by the field (HPACK's own limit could be set higher)
        MessageHead head = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_REQUEST_HEADERS);
        int bound = 2 * (2 * HttpSettings.MAX_REQUEST_LINE + HttpSettings.MAX_REQUEST_HEADERS + 4);
        assertEquals(RequestHead.REFUSED, RequestHead.fill(head, request().add("x-big", "v".repeat(1 << 20)), false));
        assertTrue(head.bytes().length <= bound, head.bytes().length + " bytes held");
        assertEquals(RequestHead.REFUSED, RequestHead.fill(head, request().path("/" + "p".repeat(1 << 20)), false));
        assertTrue(head.bytes().length <= bound, head.bytes().length + " bytes held");
        String within = write(request().add("x-big", "v".repeat(HttpSettings.MAX_REQUEST_HEADERS - 100)), false);
        assertTrue(within.startsWith("GET /p?q=1 HTTP/1.1\r\n"), within);
    }

    /** Every control character but HTAB is refused (RFC 9110 section 5.5), as is a char no byte carries. */
    @Test
    void controlCharactersAndCharsOverAByteAreMalformed() {
        // U+010A and U+010D would be LF and CR if cut to a byte
        for (String value : new String[] {"a\u0001", "a\u007f", "a\u001b", "a\u010Ax: y", "a\u010D", "\u0100"}) {
            assertNull(write(request().add("x-a", value), false), value);
            assertNull(write(request().add("cookie", value), false), value);
            assertNull(write(request().authority("a" + value), false), value);
            assertNull(write(request().path("/" + value), false), value);
        }
        assertNull(write(request().method("G\u0145T"), false)); // U+0145 would be E
        assertNull(write(request().add("x-\u013a", "v"), false)); // U+013A would be ':'
        assertEquals("GET /p?q=1 HTTP/1.1\r\nhost: example.com\r\nx-a: a\tb\r\n\r\n",
                write(request().add("x-a", "a\tb"), false));
    }

    /** The proxy's rules act on the fields by their kind: forwarding fields, hop-by-hop ones. */
    @Test
    void fieldsAreKnownByKindAsInAScannedHead() {
        MessageHead head = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_REQUEST_HEADERS);
        assertEquals(RequestHead.READY, RequestHead.fill(head, request().add("x-forwarded-for", "6.6.6.6")
                .add("forwarded", "for=x").add("x-forwarded-host", "h").add("x-forwarded-proto", "p")
                .add("x-forwarded-port", "1").add("te", "trailers").add("connection", "x-secret")
                .add("x-secret", "1").add("keep-alive", "1").add("content-length", "7"), false));
        for (byte kind : new byte[] {MessageHead.HOST, MessageHead.X_FORWARDED_FOR, MessageHead.FORWARDED,
                MessageHead.X_FORWARDED_HOST, MessageHead.X_FORWARDED_PROTO, MessageHead.X_FORWARDED_PORT,
                MessageHead.TE, MessageHead.CONNECTION, MessageHead.KEEP_ALIVE, MessageHead.CONTENT_LENGTH}) {
            assertTrue(head.first(kind) >= 0, "kind " + kind);
        }
        assertEquals(7, head.contentLength());
        assertTrue(head.connectionNamesOthers());
        HopByHopHeaders.drop(head, false);
        ByteBuf out = HeadWriter.begin(UnpooledByteBufAllocator.DEFAULT.heapBuffer(), head, false);
        try {
            String written = out.toString(StandardCharsets.ISO_8859_1);
            assertFalse(written.contains("x-secret") || written.contains("te:") || written.contains("keep-alive")
                    || written.contains("connection"), written);
            assertTrue(written.contains("content-length: 7\r\n"), written);
        } finally {
            out.release();
        }
    }

    @Test
    void headIsKnown() {
        assertEquals(true, RequestHead.isHead(request().method("HEAD")));
        assertEquals(false, RequestHead.isHead(request()));
    }
    /**
     * Trailers become trailer lines of the chunked body the worker reads: a field that could end the trailer section
     * early or start another request must never be written (Netty 4.2's decoder refuses these too; this is the
     * check that holds whatever the decoder does).
     */
    @Test
    void trailersAreCheckedAsHeadFieldsAndPseudoHeadersAreMalformed() {
        assertEquals(true, RequestHead.trailersValid(new DefaultHttp2Headers(false).add("x-sum", "a b")));
        for (Http2Headers bad : new Http2Headers[] {new DefaultHttp2Headers(false).add(":path", "/admin"),
                new DefaultHttp2Headers(false).add("x-a", "1\r\n\r\nGET /admin HTTP/1.1"),
                new DefaultHttp2Headers(false).add("x-a", "1\n"), new DefaultHttp2Headers(false).add("x-a", "1\0"),
                new DefaultHttp2Headers(false).add("X-Up", "1"), new DefaultHttp2Headers(false).add("x a", "1")}) {
            assertEquals(false, RequestHead.trailersValid(bad), bad.toString());
        }
    }

    @Test
    void theLastChunkCarriesTheTrailerSection() {
        ByteBuf last = RequestHead.lastChunk(UnpooledByteBufAllocator.DEFAULT,
                new DefaultHttp2Headers(false).add("x-sum", "1").add("grpc-status", "0"));
        try {
            assertEquals("0\r\nx-sum: 1\r\ngrpc-status: 0\r\n\r\n", last.toString(StandardCharsets.ISO_8859_1));
        } finally {
            last.release();
        }
    }
}
