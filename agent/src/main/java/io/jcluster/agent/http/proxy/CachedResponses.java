package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.CachePolicy;
import io.jcluster.agent.http.cache.StoredResponse;
import io.jcluster.agent.http.wire.HeadWriter;
import io.netty.buffer.ByteBuf;

/**
 * Writes a stored response to the client: its head as stored, then Age (RFC 9111 section 5.1: the current age,
 * section 4.2.3), X-Cache, the body's own Content-Length (a stored response is never framed by anything else, so it
 * cannot desynchronise the client's framing), the connection's own Connection line, and the body: a read-only
 * duplicate of the cache's buffer, nothing copied. The only allocation is the pooled head buffer.
 */
final class CachedResponses {

    private static final byte[] AGE = HeadWriter.ascii("age: ");
    private static final byte[] CONTENT_LENGTH = HeadWriter.ascii("content-length: ");
    private static final byte[] CONNECTION_CLOSE = HeadWriter.ascii("connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = HeadWriter.ascii("connection: keep-alive\r\n");
    /** Age, X-Cache, Content-Length and Connection lines fit in this. */
    private static final int ROOM = 128;

    private CachedResponses() {
    }

    /**
     * Writes {@code stored} (without flushing).
     *
     * @param status     the X-Cache value, or null for none ({@code cache-status-header=off})
     * @param headMethod the request was HEAD: the head only, with the body's length
     * @param close      the connection ends after this response
     * @param http10     the client speaks HTTP/1.0: a kept connection says keep-alive
     * @return false when the stored body was released meanwhile (evicted or purged): nothing was written
     */
    static boolean write(Exchange x, StoredResponse stored, CacheStatus status, boolean headMethod, boolean close,
                         boolean http10, long now) {
        ClientSide client = x.client;
        ByteBuf body = null;
        if (!headMethod) {
            body = stored.retainedBody();
            if (body == null) {
                return false; // evicted or purged meanwhile
            }
        }
        int length = stored.body().readableBytes();
        byte[] head = stored.headBytes();
        ByteBuf out = client.alloc().directBuffer(head.length + ROOM);
        out.writeBytes(head);
        out.writeBytes(AGE);
        digits(out, Math.max(0, CachePolicy.currentAge(stored.facts(), stored.requestTime(), stored.responseTime(),
                now)));
        out.writeBytes(HeadWriter.CRLF);
        if (status != null) {
            out.writeBytes(status.line);
        }
        out.writeBytes(CONTENT_LENGTH);
        digits(out, length);
        out.writeBytes(HeadWriter.CRLF);
        if (close) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (http10) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        HeadWriter.end(out);
        client.write(out);
        if (body != null) {
            client.write(body);
            x.bytesToClient += length;
        }
        if (x.access != null) {
            // now is in epoch seconds (for Age); the line's duration is on System.nanoTime, as its start is. A hit
            // (answered while the head is read) names no worker: x.backend is still the previous request's
            x.access.answered(stored.facts().status(), System.nanoTime(), headMethod ? 0 : length,
                    x.backend == null || x.state == Exchange.State.AWAIT_HEAD ? -1 : x.backend.owner());
        }
        return true;
    }

    /** A non-negative number in decimal ASCII, without a String. */
    static void digits(ByteBuf out, long value) {
        int count = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            count++;
        }
        out.ensureWritable(count);
        int at = out.writerIndex() + count;
        long rest = value;
        for (int i = 1; i <= count; i++) {
            out.setByte(at - i, (int) ('0' + rest % 10));
            rest /= 10;
        }
        out.writerIndex(at);
    }
}
