package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A stream's request body on its way to the stream's handler, as HTTP/1.1 body bytes: as they came after a
 * {@code content-length}, else chunked (each DATA frame a chunk, the trailers the trailer section). Flow control: the
 * client's DATA bytes count as consumed (its window opens again) only when the handler takes them, so what waits here
 * is bounded by the stream's window.
 */
final class RequestBody {

    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final int CRLF = ('\r' << 8) | '\n';

    private final H2Stream stream;
    private final Runnable deliver = this::deliverLater;
    private boolean chunked;
    private boolean ended;
    /** Request bytes the handler has not taken yet. */
    private ByteBuf pending;
    /** The client's DATA bytes in {@link #pending}: counted as consumed when the handler takes them. */
    private int unconsumed;
    private boolean wantsRead;
    private boolean deliverScheduled;

    RequestBody(H2Stream stream) {
        this.stream = stream;
    }

    void start(boolean chunked, boolean ended) {
        this.chunked = chunked;
        this.ended = ended;
        this.wantsRead = false;
    }

    /** Whether the client sent the whole request (END_STREAM). */
    boolean ended() {
        return ended;
    }

    /** A DATA frame's bytes (not retained by the caller). */
    void data(ByteBuf data, boolean endStream) {
        int n = data.readableBytes();
        ByteBuf framed = null;
        if (chunked) {
            if (n > 0 || endStream) {
                framed = stream.alloc().directBuffer(n + 16);
                if (n > 0) {
                    ByteBufUtil.writeAscii(framed, Integer.toHexString(n));
                    framed.writeShort(CRLF).writeBytes(data).writeShort(CRLF);
                }
                if (endStream) {
                    framed.writeBytes(LAST_CHUNK);
                }
            }
        } else if (n > 0) {
            framed = data.retainedSlice();
        }
        ended |= endStream;
        unconsumed += n;
        if (framed != null) {
            pending = append(pending, framed);
        }
        if (wantsRead && pending != null) {
            deliver();
        }
    }

    /**
     * The request's trailers (valid), which end it: a chunked body's trailer section; with a content-length body
     * there is none in HTTP/1.1, and they are dropped (RFC 9110 section 6.5.1 lets a recipient discard them).
     */
    void trailers(Http2Headers trailers) {
        ended = true;
        if (chunked) {
            pending = append(pending, RequestHead.lastChunk(stream.alloc(), trailers));
        }
        if (wantsRead && pending != null) {
            deliver();
        }
    }

    private ByteBuf append(ByteBuf waiting, ByteBuf data) {
        if (waiting == null) {
            return data;
        }
        ByteBuf merged = stream.alloc().directBuffer(waiting.readableBytes() + data.readableBytes());
        merged.writeBytes(waiting).writeBytes(data);
        waiting.release();
        data.release();
        return merged;
    }

    /** The handler can take more: it gets what is here (later, not inside its call) or next. */
    void read() {
        wantsRead = true;
        if (pending != null && !deliverScheduled) {
            deliverScheduled = true;
            stream.executor().execute(deliver);
        }
    }

    private void deliver() {
        ByteBuf bytes = pending;
        pending = null;
        wantsRead = false;
        int n = unconsumed;
        unconsumed = 0;
        stream.consume(n);
        stream.toHandler(bytes);
    }

    private void deliverLater() {
        deliverScheduled = false;
        if (pending != null && wantsRead && stream.serving()) {
            deliver();
            stream.flush(); // the WINDOW_UPDATE
        }
    }

    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        unconsumed = 0;
        wantsRead = false;
    }
}
