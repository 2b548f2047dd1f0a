package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Upstream;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;

/**
 * One call: the handler of a client's stream (its child channel, reads off), relaying its frames to a stream of
 * its own on a worker connection and the worker's frames back, one read at a time in each direction and only while
 * the other side can take them (so each direction holds at most a stream window: a slow client stops the reads of
 * its worker stream, whose window then stops the worker, and nothing else on that worker connection).
 *
 * <p>{@code HEADERS -> CONNECTING -> RELAYING -> DONE}: this class is the state machine, deciding on each event of
 * either stream; its parts act. The request's headers pick the worker, and the request's frames go to its stream
 * ({@link WorkerLeg}); the response goes to the client ({@link ClientResponse}). The parent answers a call itself,
 * with gRPC trailers, when no worker is in rotation or none can be reached (UNAVAILABLE), when its
 * {@code grpc-timeout} passes (DEADLINE_EXCEEDED, and the worker's stream is reset with CANCEL), or when its worker's
 * connection ends before the response did (UNAVAILABLE); a client that takes none of the response for send-timeout
 * has its stream reset (CANCEL), and the worker's too. Both deadlines are its {@link CallDeadline}'s. What the call
 * did (bytes, statuses, time) and its bookkeeping at the end (strategy timing, listener bytes, access log) are its
 * {@link CallTally}'s; the frames of the parent's own answers are {@link GrpcAnswers}'.
 */
final class GrpcCall extends ChannelDuplexHandler {

    enum State { HEADERS, CONNECTING, RELAYING, DONE }

    private final ClientCalls calls;
    private ChannelHandlerContext ctx;
    private State state = State.HEADERS;
    /** Whether the request's content-type is gRPC's: the parent's answers are then gRPC trailers, else HTTP. */
    private boolean grpc;
    /** The pick of a worker, the stream to it and the request's frames on their way there. */
    private final WorkerLeg worker;
    /** grpc-timeout and send-timeout. */
    private final CallDeadline deadline;
    /** The request's grpc-timeout as it came, for the answer when it passes; null without one. */
    private CharSequence grpcTimeout;
    /** Its bytes, statuses and time, and the bookkeeping when it ends. */
    private final CallTally tally = new CallTally();
    /** The response as it goes to the client: the worker's frames, or the parent's answer. */
    private final ClientResponse response = new ClientResponse(tally);
    /** The client sent END_STREAM. */
    private boolean clientEnded;
    /** The worker's stream was refused by its GOAWAY (not processed there). */
    private boolean refusedByWorker;

    GrpcCall(ClientCalls calls) {
        this.calls = calls;
        this.worker = new WorkerLeg(this);
        this.deadline = new CallDeadline(this, calls.sendTimeout());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        response.on(ctx);
        ctx.read(); // the request's headers
    }

    // ---- the client's stream ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame) || state == State.DONE) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Http2StreamFrame frame = (Http2StreamFrame) msg;
        if (state == State.HEADERS) {
            if (frame instanceof Http2HeadersFrame) {
                begin((Http2HeadersFrame) frame);
            } else {
                ReferenceCountUtil.release(frame); // cannot be: the codec makes HEADERS a stream's first frame
            }
            return;
        }
        clientEnded |= GrpcFrames.endsStream(frame);
        if (state == State.RELAYING) {
            worker.forward(frame, tally);
        } else {
            worker.hold(frame);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state != State.RELAYING) {
            return; // while connecting no more is read: what came waits in the worker leg
        }
        worker.flush();
        if (!clientEnded && worker.isWritable()) {
            ctx.read();
        }
    }

    /**
     * The client's stream takes more of the response, or no more: its flow-control window (or the connection's) is
     * used up, or the client reads nothing; the relay from the worker pauses then, for send-timeout at most.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state == State.RELAYING) {
            if (ctx.channel().isWritable()) {
                deadline.resumed();
                worker.read(); // the client takes the response again
            } else {
                deadline.paused();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame && state != State.DONE) {
            end(); // the client cancelled the call: its worker stream is reset with CANCEL as it closes
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    private void begin(Http2HeadersFrame headers) {
        long startedAt = tally.begin(headers.headers(), calls.log() != null);
        clientEnded = headers.isEndStream();
        worker.request(headers);
        grpc = GrpcAnswers.isGrpc(headers.headers().get(GrpcAnswers.CONTENT_TYPE));
        long timeout = GrpcTimeout.UNTIMED;
        if (grpc) {
            CharSequence value = headers.headers().get(GrpcAnswers.GRPC_TIMEOUT);
            if (value != null) {
                grpcTimeout = value;
                timeout = GrpcTimeout.nanos(value);
                if (timeout == GrpcTimeout.MALFORMED) {
                    answer(GrpcAnswers.INTERNAL, 400, "malformed grpc-timeout: " + value
                            + " (at most 8 digits and one of H M S m u n)");
                    return;
                }
            }
        }
        String refused = calls.forwarding().rewrite(headers.headers());
        if (refused != null) {
            answer(GrpcAnswers.INTERNAL, 400, "request headers refused: " + refused);
            return;
        }
        if (timeout == 0) {
            answer(GrpcAnswers.DEADLINE_EXCEEDED, 504, "deadline exceeded (grpc-timeout " + value() + ")");
            return;
        }
        if (timeout != GrpcTimeout.UNTIMED) {
            deadline.call(startedAt + timeout, startedAt);
        }
        state = State.CONNECTING;
        dispatch();
    }

    private String value() {
        return grpcTimeout == null ? "" : grpcTimeout.toString();
    }

    /** In CONNECTING: picks a worker among those in rotation not tried yet, and opens a stream to it. */
    private void dispatch() {
        Upstream upstream = calls.upstream();
        if (!worker.dispatch(upstream, calls.workers(), ctx.channel().eventLoop())) {
            int tried = worker.tried();
            answer(GrpcAnswers.UNAVAILABLE, 503, tried == 0
                    ? "no worker is serving " + upstream.describe() + " right now; try again shortly"
                    : "no worker could be reached (" + tried + " tried); try again shortly");
        }
    }

    // ---- the worker's side (WorkerConnection, WorkerStream) ----

    /** The connection to {@code failed} could not be made: the call goes to another worker (nothing was sent). */
    void connectFailed(Backend failed) {
        if (state == State.CONNECTING && worker.connectFailed(failed)) {
            dispatch();
        }
    }

    /** The worker's stream is open (not yet on the wire: the request's headers open it). */
    void workerOpened(Http2StreamChannel stream) {
        if (state != State.CONNECTING) {
            stream.close(); // the call ended while its stream was being opened
            return;
        }
        state = State.RELAYING;
        CharSequence remaining = null;
        if (deadline.timed()) {
            // the worker gets what is left of the client's deadline, not all of it again (the time spent here, a
            // connect to the worker above all, is gone), as gRPC proxies forward it; the timer passes it first
            remaining = GrpcTimeout.encode(Math.max(1, deadline.callAt() - System.nanoTime()));
        }
        worker.opened(stream, remaining, tally);
        if (!clientEnded && stream.isWritable()) {
            ctx.read();
        }
    }

    void fromWorker(Http2StreamFrame frame) {
        if (state != State.RELAYING) {
            ReferenceCountUtil.release(frame);
            return;
        }
        response.relay(frame);
    }

    void workerReadComplete() {
        response.flush();
        if (state == State.RELAYING && ctx.channel().isWritable()) {
            worker.read();
        }
    }

    void workerWritable() {
        if (state == State.RELAYING && !clientEnded) {
            ctx.read();
        }
    }

    /** The worker reset its stream: the client's is reset with the same code (after its trailers: NO_ERROR). */
    void workerReset(Http2Error error) {
        if (state != State.RELAYING) {
            return;
        }
        response.flush();
        if (!response.ended() || !clientEnded) {
            response.reset(response.ended() ? Http2Error.NO_ERROR : error);
        }
        end();
        ctx.close();
    }

    /** The worker's GOAWAY said it did not take this stream: it was not processed there. */
    void workerRefused() {
        refusedByWorker = true;
    }

    /** The worker's stream closed. */
    void workerClosed() {
        if (state != State.RELAYING && state != State.CONNECTING) {
            return;
        }
        // the last frames' read-complete never comes when the stream closes with them (Netty closes the child
        // channel first): they are flushed here
        response.flush();
        if (response.ended()) {
            return; // the response is complete; the client's stream closes once its request is in too
        }
        if (refusedByWorker && !response.started()) {
            // not processed by the worker: REFUSED_STREAM tells a gRPC client it may send the call again (it does,
            // transparently), and its next attempt is balanced anew
            response.reset(Http2Error.REFUSED_STREAM);
            end();
            ctx.close();
            return;
        }
        Backend lost = worker.backend();
        answer(GrpcAnswers.UNAVAILABLE, 502, "worker " + (lost == null ? "?" : lost.owner())
                + " closed its connection during the call; it was not completed");
    }

    /** The client's grpc-timeout passed ({@link CallDeadline}). */
    void deadlineExceeded() {
        if (state == State.DONE) {
            return;
        }
        answer(GrpcAnswers.DEADLINE_EXCEEDED, 504, "deadline exceeded (grpc-timeout " + value()
                + ") before the worker answered");
    }

    /**
     * The client took none of the response for send-timeout ({@link CallDeadline}): its stream is reset with CANCEL,
     * which gRPC over HTTP/2 ("Errors") has a server send when it cancels a call whose payload is incomplete (the
     * client gets CANCELLED): trailers cannot reach a client that does not take the DATA queued before them. The
     * worker's stream is reset with CANCEL as it closes, which frees its place on the worker (RFC 9113 section 8.1:
     * a stream is ended early with RST_STREAM); the connections' other calls go on.
     */
    void sendTimedOut() {
        if (state == State.DONE) {
            return;
        }
        if (grpc) {
            tally.answeredGrpc(GrpcAnswers.CANCELLED, response.started());
        }
        response.reset(Http2Error.CANCEL);
        end();
        ctx.close();
    }

    EventExecutor executor() {
        return ctx.executor();
    }

    // ---- endings ----

    /**
     * The parent ends the call with its own answer: gRPC trailers (Trailers-Only when nothing of the response was
     * sent yet), or for a request that is not gRPC an HTTP status with a line of text; then its worker stream is
     * reset (CANCEL) and the client's stream ends (RST_STREAM NO_ERROR if the client is still sending).
     */
    private void answer(int grpcStatus, int httpStatus, String message) {
        if (state == State.DONE) {
            return;
        }
        response.flush();
        response.answer(grpc, grpcStatus, httpStatus, message);
        if (!clientEnded) {
            // RFC 9113 section 8.1: a response complete before the request is followed by RST_STREAM(NO_ERROR)
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR), ctx.voidPromise());
        }
        ctx.flush();
        end();
        ctx.close();
    }

    /** Ends the call's part here: its timer, its claim on the worker, its worker stream (reset if unfinished). */
    private void end() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        tally.ended(calls, worker.backend(), response.workerAnswered(),
                response.started() || response.workerAnswered());
        deadline.cancel();
        worker.end();
    }

    /** For tests. */
    State state() {
        return state;
    }
}
