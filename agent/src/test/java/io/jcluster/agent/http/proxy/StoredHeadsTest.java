package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a stored head keeps of a worker's response head (RFC 9111 section 3.1), and of a 304 updating it. */
class StoredHeadsTest {

    private static MessageHead response(String text) {
        MessageHead head = new MessageHead(false, 8192, 1 << 20);
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            assertEquals(MessageHead.COMPLETE, head.scan(in), head::error);
            return head;
        } finally {
            in.release();
        }
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * RFC 9111 section 3.1: "Header fields that are specific to the proxy that a cache uses when forwarding a request
     * MUST NOT be stored, unless the cache incorporates the identity of the proxy into the cache key. Effectively,
     * this is limited to Proxy-Authenticate, Proxy-Authentication-Info, and Proxy-Authorization." In any spelling;
     * the response itself still reaches the client that asked (only the stored copy loses them).
     */
    @Test
    void section3_1_proxySpecificFieldsAreNeverStored() {
        MessageHead head = response("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                + "Proxy-Authenticate: Basic realm=\"corp\"\r\nPROXY-AUTHENTICATION-INFO: nextnonce=\"x\"\r\n"
                + "proxy-authorization: Basic dXNlcjpwYXNz\r\nETag: \"1\"\r\nContent-Length: 0\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nETag: \"1\"\r\n", ascii(StoredHeads.of(head)));
    }

    /** Sections 3.1 and 3.2 (4.3.4): a 304's proxy-specific fields do not enter the stored head either. */
    @Test
    void section3_1_aNotModifiedDoesNotBringProxySpecificFieldsIntoTheStoredHead() {
        MessageHead stored = response("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nETag: \"1\"\r\n\r\n");
        MessageHead notModified = response("HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=120\r\n"
                + "Proxy-Authenticate: Basic realm=\"corp\"\r\nProxy-Authentication-Info: nextnonce=\"y\"\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nETag: \"1\"\r\nCache-Control: max-age=120\r\n",
                ascii(StoredHeads.updated(stored, notModified)));
    }

    /** Section 3.1's other exclusions as this cache makes them: framing, Age and X-Cache are written per answer. */
    @Test
    void section3_1_framingAgeAndXCacheAreNotStoredAndOtherFieldsAre() {
        MessageHead head = response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nAge: 7\r\nX-Cache: HIT\r\n"
                + "X-Unknown: kept\r\nCache-Control: max-age=60\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nX-Unknown: kept\r\nCache-Control: max-age=60\r\n", ascii(StoredHeads.of(head)));
    }
}
