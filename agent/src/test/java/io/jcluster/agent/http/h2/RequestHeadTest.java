package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
