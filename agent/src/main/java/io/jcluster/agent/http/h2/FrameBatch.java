package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * An HTTP/2 connection's outgoing frames between two flushes, gathered into one buffer: the responses of the streams
 * answered in one event-loop iteration leave as one buffer, not one buffer (an allocation, a trip down the pipeline,
 * an entry of the channel's outbound buffer) per frame. Over TLS that buffer is what the TLS handler encrypts, where
 * it would otherwise copy the small frames together once more before encrypting them as one record.
 *
 * <p>{@link DirectFrames} writes its frames straight into {@link #room}. Every other write of the connection passes
 * here too (it sits just below the HTTP/2 handler), so order is kept: a small one without a promise is copied behind
 * the gathered frames, anything else first sends what was gathered, then goes on as written. The buffer is sent at
 * every flush and whenever it would pass {@link #LIMIT}, so it holds at most one TLS record's worth: what the channel
 * has not taken yet is always counted by the channel's own outbound buffer and its writability, as before.
 */
final class FrameBatch extends ChannelOutboundHandlerAdapter {

    /** The most gathered before it is sent, flush or not: one TLS record's plaintext. */
    static final int LIMIT = 16 * 1024;
    /** A write without a promise up to this size is copied into the batch; larger ones keep their own buffer. */
    static final int COPY_MAX = 1024;
    private static final int INITIAL = 1024;

    private ChannelHandlerContext ctx;
    private ByteBuf gathered;
    private boolean closed;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closed = true; // the channel closed: the HTTP/2 handler's own writes go on to it, which drops them
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
    }

    /** Whether {@link #room} may be used: not once the channel's pipeline let go of this handler (closed). */
    boolean accepting() {
        return !closed;
    }

    /**
     * The buffer to append {@code bytes} (at least; it grows on) to, behind everything written before. What was
     * gathered is sent first when these would take it past {@link #LIMIT}.
     */
    ByteBuf room(int bytes) {
        if (gathered != null && gathered.writerIndex() + bytes > LIMIT) {
            send(ctx.voidPromise());
        }
        if (gathered == null) {
            gathered = ctx.alloc().ioBuffer(Math.max(INITIAL, bytes));
        } else {
            gathered.ensureWritable(bytes);
        }
        return gathered;
    }

    /** Sends what was gathered with {@code promise}, which completes when it is written (now, when nothing was). */
    void send(ChannelPromise promise) {
        ByteBuf out = gathered;
        gathered = null;
        if (out == null) {
            promise.setSuccess();
        } else if (!out.isReadable()) {
            out.release();
            promise.setSuccess();
        } else {
            ctx.write(out, promise);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && promise.isVoid() && buf.readableBytes() <= COPY_MAX) {
            int n = buf.readableBytes();
            room(n).writeBytes(buf, buf.readerIndex(), n);
            buf.release();
            return;
        }
        send(ctx.voidPromise());
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        send(ctx.voidPromise());
        ctx.flush();
    }
}
