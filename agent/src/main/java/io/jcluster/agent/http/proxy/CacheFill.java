package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.ChunkedScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A copy of the body of a response being stored, taken as the body goes by ({@link TeeRelay}): a content-length body
 * as it is, a chunked one without its framing (the stored response is served with a Content-Length). It follows the
 * body's framing itself, so it copies exactly the body's bytes whatever else a read holds. Never more than
 * cache-max-object bytes: a body that turns out larger is dropped, and nothing is stored. One per client
 * connection, reused.
 */
final class CacheFill {

    private final ChunkedScanner chunks = new ChunkedScanner();
    private ByteBuf copy;
    private boolean chunked;
    private long remaining;
    private long maxBytes;

    /**
     * Starts a copy of a body framed as {@code kind}; false (nothing started) when it is already known too large.
     *
     * @param length the Content-Length when {@code kind} is LENGTH
     */
    boolean start(ByteBufAllocator alloc, BodyFraming.Kind kind, long length, long maxObject) {
        release();
        long limit = Math.min(maxObject, Integer.MAX_VALUE - 8); // one buffer holds a stored body
        switch (kind) {
            case NONE -> {
                copy = alloc.directBuffer(0, 0);
                chunked = false;
                remaining = 0;
            }
            case LENGTH -> {
                if (length > limit) {
                    return false;
                }
                copy = alloc.directBuffer((int) length, (int) length);
                chunked = false;
                remaining = length;
            }
            case CHUNKED -> {
                copy = alloc.directBuffer((int) Math.min(8192, limit), (int) limit);
                chunked = true;
                chunks.reset();
            }
            default -> {
                return false; // a body ended by closing: whether it is whole cannot be told
            }
        }
        maxBytes = limit;
        return true;
    }

    boolean active() {
        return copy != null;
    }

    /** Copies the body bytes among {@code [from, to)} of {@code data} (its indexes are left as they are). */
    void take(ByteBuf data, int from, int to) {
        if (copy == null) {
            return;
        }
        if (!chunked) {
            int n = (int) Math.min(remaining, to - from);
            copy.writeBytes(data, from, n);
            remaining -= n;
            return;
        }
        int at = from;
        while (at < to && !chunks.done()) {
            int stepStart = at;
            at = chunks.step(data, stepStart, to);
            if (at < 0) {
                release(); // broken framing: the relay cuts the response; nothing is stored
                return;
            }
            if (chunks.lastStepData() && at > stepStart) {
                int n = at - stepStart;
                if (copy.readableBytes() + (long) n > maxBytes) {
                    release(); // past cache-max-object: passed on, not stored
                    return;
                }
                copy.writeBytes(data, stepStart, n);
            }
        }
    }

    /** The whole body, now the caller's; null when the copy is not whole or was dropped. */
    ByteBuf takeWhole() {
        if (copy == null || (chunked ? !chunks.done() : remaining != 0)) {
            release();
            return null;
        }
        ByteBuf whole = copy;
        copy = null;
        return whole;
    }

    void release() {
        if (copy != null) {
            copy.release();
            copy = null;
        }
    }
}
