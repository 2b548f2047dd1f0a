package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * A stream's response head and DATA frames written straight into the connection's {@link FrameBatch}, when nothing
 * needs queueing: the common case of a response that fits the windows. Netty's encoder makes a flow-control entry,
 * a frame-header buffer, a promise aggregator and several promises per frame, and closes the stream from a listener
 * on the last frame's promise; here the stream closes when its last frame is written (to the channel, which
 * delivers it in order), and every write but one during a graceful close goes without a promise.
 *
 * <p>What Netty's codec does is kept: DATA counts against the stream's and the connection's flow-control window
 * (taken from its flow controller's windows, which then go on from there), only when the whole frame fits both and
 * no frame of the stream waits in the flow controller (the order of a stream's frames), and only while the channel
 * is writable (a slow reader never makes the parent buffer more; otherwise the frame is queued by Netty's flow
 * controller, which writes as the channel drains). The header block is encoded by the connection's own HPACK
 * encoder (the one Netty's frame writer uses, so the dynamic table stays the client's), split into CONTINUATION
 * frames when larger than the client's SETTINGS_MAX_FRAME_SIZE (RFC 9113 section 4.3). Anything else (1xx heads,
 * trailers, frames of a stream that has frames queued) goes through Netty's encoder.
 */
final class DirectFrames {

    private static final int FRAME_HEADER = 9;
    /** Payloads up to this size are copied behind their frame header into the batch. */
    private static final int COPY_MAX = 2048;

    private final H2ProxyConnection connection;
    private final Http2ConnectionEncoder encoder;
    /** The HPACK encoder of Netty's frame writer, or null when it is not reachable (then headers go through it). */
    private final Http2HeadersEncoder hpack;
    /** Where the frames go: the connection's frames until its next flush, in the order of all its writes. */
    private final FrameBatch batch;

    DirectFrames(H2ProxyConnection connection, Http2ConnectionEncoder encoder, FrameBatch batch) {
        this.connection = connection;
        this.batch = batch;
        this.encoder = encoder;
        Http2HeadersEncoder.Configuration headers = encoder.configuration().headersConfiguration();
        this.hpack = headers instanceof Http2HeadersEncoder e ? e : null;
    }

    private static boolean sendable(Http2Stream stream) {
        Http2Stream.State state = stream.state();
        return state == Http2Stream.State.OPEN || state == Http2Stream.State.HALF_CLOSED_REMOTE;
    }

    /**
     * A final response head (the stream's first HEADERS but 1xx ones). @return false: not written here, the caller
     * goes through Netty's encoder
     */
    boolean head(ChannelHandlerContext ctx, Http2Stream stream, Http2Headers headers, boolean endStream) {
        if (hpack == null || !batch.accepting() || !sendable(stream) || stream.isHeadersSent()
                || encoder.flowController().hasFlowControlled(stream)) {
            return false;
        }
        ByteBuf out = batch.room(FRAME_HEADER + 256);
        int at = out.writerIndex();
        out.writerIndex(at + FRAME_HEADER);
        try {
            hpack.encodeHeaders(stream.id(), headers, out);
        } catch (Http2Exception e) {
            out.writerIndex(at);
            connection.onError(ctx, true, e); // as Netty's encoder: a stream error resets it, else GOAWAY
            return true;
        }
        int length = out.writerIndex() - at - FRAME_HEADER;
        int max = encoder.configuration().frameSizePolicy().maxFrameSize();
        int flags = endStream ? Http2Flags.END_STREAM : 0;
        if (length <= max) {
            frameHeader(out, at, length, Http2FrameTypes.HEADERS, flags | Http2Flags.END_HEADERS, stream.id());
        } else {
            continued(ctx, out, at, length, max, flags, stream.id());
        }
        stream.headersSent(false);
        written(ctx, stream, endStream);
        return true;
    }

    /**
     * A header block larger than one frame, encoded at {@code out[at + FRAME_HEADER...]}: rewritten there as HEADERS
     * and CONTINUATION frames, the last with END_HEADERS.
     */
    private static void continued(ChannelHandlerContext ctx, ByteBuf out, int at, int length, int max, int flags,
                                  int id) {
        ByteBuf block = ctx.alloc().heapBuffer(length);
        try {
            block.writeBytes(out, at + FRAME_HEADER, length);
            out.writerIndex(at);
            int count = (length + max - 1) / max;
            out.ensureWritable(length + count * FRAME_HEADER);
            for (int i = 0; i < count; i++) {
                int n = Math.min(max, block.readableBytes());
                boolean last = i == count - 1;
                int frameFlags = (i == 0 ? flags : 0) | (last ? Http2Flags.END_HEADERS : 0);
                int header = out.writerIndex();
                out.writerIndex(header + FRAME_HEADER);
                frameHeader(out, header, n, i == 0 ? Http2FrameTypes.HEADERS : Http2FrameTypes.CONTINUATION,
                        frameFlags, id);
                out.writeBytes(block, n);
            }
        } finally {
            block.release();
        }
    }

    /**
     * A DATA frame ({@code data}'s ownership passes when written). @return false: not written (it must wait in the
     * flow controller, or is larger than a frame), the caller goes through Netty's encoder
     */
    boolean data(ChannelHandlerContext ctx, Http2Stream stream, ByteBuf data, boolean endStream) {
        int n = data.readableBytes();
        Http2RemoteFlowController flow = encoder.flowController();
        Http2Stream connectionStream = connection.connection().connectionStream();
        if (n > encoder.configuration().frameSizePolicy().maxFrameSize() || !batch.accepting() || !sendable(stream)
                || !ctx.channel().isWritable() || flow.hasFlowControlled(stream)
                || flow.windowSize(stream) < n || flow.windowSize(connectionStream) < n) {
            return false;
        }
        if (n > 0) {
            try {
                // the bytes sent count against both windows, as the flow controller's own writes count them
                flow.incrementWindowSize(stream, -n);
                flow.incrementWindowSize(connectionStream, -n);
            } catch (Http2Exception e) {
                return false; // a decrement cannot overflow
            }
        }
        int flags = endStream ? Http2Flags.END_STREAM : 0;
        ByteBuf out = batch.room(FRAME_HEADER + (n <= COPY_MAX ? n : 0));
        int at = out.writerIndex();
        out.writerIndex(at + FRAME_HEADER);
        frameHeader(out, at, n, Http2FrameTypes.DATA, flags, stream.id());
        if (n <= COPY_MAX) {
            out.writeBytes(data, data.readerIndex(), n);
            data.release();
            written(ctx, stream, endStream);
        } else {
            // a large payload keeps its buffer: the batch sends what it holds (this frame's header) before it
            boolean promised = endStream && connection.connection().goAwaySent();
            ChannelFuture sent = ctx.write(data, promised ? ctx.newPromise() : ctx.voidPromise());
            if (endStream) {
                ended(stream, promised ? sent : ctx.channel().newSucceededFuture());
            }
        }
        return true;
    }

    private static void frameHeader(ByteBuf buf, int at, int length, byte type, int flags, int id) {
        buf.setMedium(at, length);
        buf.setByte(at + 3, type);
        buf.setByte(at + 4, flags);
        buf.setInt(at + 5, id);
    }

    /**
     * A stream's frame was put in the connection's batch; its last ({@code endStream}) closes the stream's sending side
     * now (and is flushed with the connection's next flush, {@link H2ProxyConnection#flushSoon}). Frames go without a
     * promise: a failed write fails the channel, which closes the connection ({@link H2ProxyConnection}'s
     * exceptionCaught). Only once a GOAWAY went out does the last frame carry one (the batch is sent with it), for the
     * graceful close that waits for the last stream's end to have been written before it closes the connection.
     */
    private void written(ChannelHandlerContext ctx, Http2Stream stream, boolean endStream) {
        if (!endStream) {
            return;
        }
        ChannelFuture sent;
        if (connection.connection().goAwaySent()) {
            ChannelPromise promise = ctx.newPromise();
            batch.send(promise);
            sent = promise;
        } else {
            sent = ctx.channel().newSucceededFuture();
        }
        ended(stream, sent);
    }

    private void ended(Http2Stream stream, ChannelFuture sent) {
        connection.closeStreamLocal(stream, sent);
        // the stream may be closed now: its handler's end and flush calls find it gone, so the flush is asked here
        connection.flushSoon();
    }
}
