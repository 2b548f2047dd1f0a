package io.jcluster.agent.http.cache;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

/**
 * One response in the cache: its head lines as the client gets them (hop-by-hop fields, Age and framing removed:
 * the proxy writes Age, X-Cache and Content-Length when it serves it), its whole body, the facts its reuse is
 * judged by, and the request header values its Vary names. The body is a buffer of the cache's own (see
 * ResponseCache), shared read-only by every hit: a hit writes {@link #retainedBody()} (null: the cache let it go
 * while the hit was on its way; treat it as a miss).
 *
 * @param headBytes    status line and header lines, CRLF-ended, without the blank line, Age, Content-Length,
 *                     Transfer-Encoding and hop-by-hop fields
 * @param requestTime  epoch seconds (section 4.2.3)
 * @param responseTime epoch seconds
 * @param varyValues   the values of the request header fields named by Vary, in its order (null for absent)
 */
public record StoredResponse(String key, ResponseFacts facts, byte[] headBytes, ByteBuf body, long requestTime,
                             long responseTime, String[] varyValues) {

    /**
     * What one entry costs beside its head and body: this record, its facts and their strings, the key's and vary
     * arrays' headers, the direct buffer's object and its Cleaner-free bookkeeping, and its share of a Caffeine node
     * (strong keys, weighed: ~100 bytes). Estimated from the field layout (64-bit JVM, compressed references), not
     * measured per entry: it only has to keep many tiny entries from slipping past the bound.
     */
    static final long OVERHEAD = 512;

    /** What the entry weighs in the cache's bound: head, body, vary values and a fixed overhead. */
    public long weight() {
        long weight = OVERHEAD + headBytes.length + body.capacity() + 2L * key.length();
        if (varyValues != null) {
            for (String value : varyValues) {
                weight += 16 + (value == null ? 0 : 2L * value.length());
            }
        }
        return weight;
    }

    /**
     * The body for one hit to write (its own indexes, one more reference: the writer releases it), or null when the
     * cache released it meanwhile (an eviction or purge raced this hit): serve it as a miss then.
     */
    public ByteBuf retainedBody() {
        try {
            return body.retainedDuplicate();
        } catch (IllegalReferenceCountException released) {
            return null;
        }
    }
}
