package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.util.AsciiString;

/** What the response cache did for a request, as the X-Cache line says it ({@code cache-status-header=on}). */
enum CacheStatus {
    /** Answered from a fresh stored response (or the one a concurrent request just stored). */
    HIT,
    /** Asked a worker; its response may have been stored. */
    MISS,
    /** Answered from a stale stored response: while it is revalidated, or instead of an error (RFC 5861). */
    STALE,
    /** The worker confirmed the stored response with a 304, which was answered from it. */
    REVALIDATED,
    /** Not a request the cache answers (method, Authorization, a body, an upgrade): passed to a worker. */
    BYPASS;

    /** {@code x-cache: NAME} and its CRLF. */
    final byte[] line = HeadWriter.ascii("x-cache: " + name() + "\r\n");
    /** The X-Cache value, for an HTTP/2 stream's head. */
    final AsciiString value = AsciiString.cached(name());

    /**
     * Marks the worker's own X-Cache lines of {@code head} dropped: the client gets one X-Cache, the parent's (a
     * worker's, e.g. an app-level cache's HIT next to the parent's MISS, would contradict it). Allocates nothing.
     */
    static void dropWorkers(MessageHead head) {
        byte[] in = head.bytes();
        for (int i = 0; i < head.count(); i++) {
            int start = head.lineStart(i);
            if (head.kind(i) == MessageHead.OTHER && head.nameEnd(i) - start == 7 && (in[start] | 0x20) == 'x'
                    && in[start + 1] == '-' && (in[start + 2] | 0x20) == 'c' && (in[start + 3] | 0x20) == 'a'
                    && (in[start + 4] | 0x20) == 'c' && (in[start + 5] | 0x20) == 'h' && (in[start + 6] | 0x20) == 'e') {
                head.drop(i);
            }
        }
    }
}
