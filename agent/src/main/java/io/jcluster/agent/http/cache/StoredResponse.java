package io.jcluster.agent.http.cache;

import io.netty.buffer.ByteBuf;

/**
 * One response in the cache: its head lines as the client gets them (hop-by-hop fields, Age and framing removed:
 * the proxy writes Age, X-Cache and Content-Length when it serves it), its whole body, the facts its reuse is
 * judged by, and the request header values its Vary names. The body is a buffer of the cache's own (see
 * ResponseCache), shared read-only by every hit: a hit writes {@code body().retainedDuplicate()}.
 *
 * @param headBytes    status line and header lines, CRLF-ended, without the blank line, Age, Content-Length,
 *                     Transfer-Encoding and hop-by-hop fields
 * @param requestTime  epoch seconds (section 4.2.3)
 * @param responseTime epoch seconds
 * @param varyValues   the values of the request header fields named by Vary, in its order (null for absent)
 */
public record StoredResponse(String key, ResponseFacts facts, byte[] headBytes, ByteBuf body, long requestTime,
                             long responseTime, String[] varyValues) {

    /** What the entry weighs in the cache's bound: head, body, vary values and a fixed overhead. */
    public long weight() {
        throw new UnsupportedOperationException("cache-store");
    }
}
