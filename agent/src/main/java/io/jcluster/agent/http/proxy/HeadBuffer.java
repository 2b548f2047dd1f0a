package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The buffer an exchange writes each request's head for the worker into, kept from one request to the next: a
 * keep-alive connection (or an HTTP/2 connection's reused exchange) allocates and frees no head buffer per request.
 *
 * <p>The head is written to the worker's channel by reference ({@code retain()}), and the channel releases that
 * reference once the bytes are out (or the write failed). The buffer is cleared for the next head only when the
 * exchange's own reference is the last one: a write of the previous head still pending in a worker channel's
 * outbound buffer (a worker connection closed with it unflushed, not yet torn down) keeps its bytes, and the next
 * head gets a fresh buffer instead. A buffer grown past {@link #KEEP_AT_MOST} by an unusually large head is not
 * kept between requests.
 */
final class HeadBuffer {

    /** Heads larger than this (rare: long cookies, many headers) get a buffer of their own, freed after. */
    static final int KEEP_AT_MOST = 4096;

    private ByteBuf buffer;

    /** An empty buffer for the next head, with room for {@code size} bytes; owned by this, valid until the next call. */
    ByteBuf next(ByteBufAllocator alloc, int size) {
        ByteBuf b = buffer;
        if (b != null) {
            if (b.refCnt() == 1 && b.capacity() <= KEEP_AT_MOST) {
                b.clear();
                b.ensureWritable(size);
                return b;
            }
            b.release(); // a pending write still holds it (and frees it when done), or it grew too large to keep
        }
        return buffer = alloc.directBuffer(size);
    }

    /** The exchange ended: the buffer is freed (a write still holding it frees it when done). */
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
