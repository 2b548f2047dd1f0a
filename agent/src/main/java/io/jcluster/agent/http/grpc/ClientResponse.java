package io.jcluster.agent.http.grpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * A call's response on its way to the client's stream: the worker's frames as they come (written, flushed once per
 * read), or the parent's own answer ({@link GrpcAnswers}), or a reset; what has gone out so far (headers, the end),
 * and whether the worker completed it. Counts what it writes in the call's {@link CallTally}. Its {@link GrpcCall}
 * decides when; this writes. Used on the call's event loop only.
 */
final class ClientResponse {

    private final CallTally tally;
    private ChannelHandlerContext ctx;
    /** Response HEADERS went to the client. */
    private boolean started;
    /** END_STREAM went to the client (the worker's trailers, or the parent's answer), or its stream was reset. */
    private boolean ended;
    /** The worker's trailers came: the call completed there. */
    private boolean workerAnswered;
    private boolean needsFlush;

    ClientResponse(CallTally tally) {
        this.tally = tally;
    }

    /** The client's stream (its call handler's context). */
    void on(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean started() {
        return started;
    }

    boolean ended() {
        return ended;
    }

    boolean workerAnswered() {
        return workerAnswered;
    }

    /** A frame of the worker's response: HEADERS (the head, or the trailers) and DATA are written, unpadded. */
    void relay(Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame) {
            Http2HeadersFrame headers = (Http2HeadersFrame) frame;
            if (!started) {
                tally.responseHead(headers.headers());
            }
            started = true;
            if (headers.isEndStream()) {
                tally.trailers(headers.headers());
                ended = true;
                workerAnswered = true;
            }
        } else if (frame instanceof Http2DataFrame) {
            Http2DataFrame data = (Http2DataFrame) frame;
            tally.toClient(data.content().readableBytes());
            if (data.isEndStream()) {
                ended = true; // a non-gRPC response may end with DATA
                workerAnswered = true;
            }
            frame = GrpcFrames.unpadded(data);
        } else {
            ReferenceCountUtil.release(frame);
            return;
        }
        ctx.write(frame.stream(null), ctx.voidPromise());
        needsFlush = true;
    }

    /** Flushes what {@link #relay} wrote since the last flush. */
    void flush() {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    /**
     * The parent's own answer (written, not flushed), unless the response has ended: gRPC trailers (Trailers-Only
     * when nothing of the response was sent yet), or for a request that is not gRPC an HTTP status with a line of
     * text.
     */
    void answer(boolean grpc, int grpcStatus, int httpStatus, String message) {
        if (ended) {
            return;
        }
        if (grpc) {
            tally.answeredGrpc(grpcStatus, started);
        } else if (!started) {
            tally.answeredHttp(httpStatus);
        }
        GrpcAnswers.write(ctx, grpc, started, grpcStatus, httpStatus, message);
        ended = true;
    }

    /** Resets the client's stream with {@code code} (written and flushed). */
    void reset(Http2Error code) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(code), ctx.voidPromise());
        ended = true;
    }
}
