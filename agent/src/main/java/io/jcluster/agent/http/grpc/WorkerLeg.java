package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.Upstream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A call's worker side: which worker takes it (the listener's strategy over the workers in rotation not tried yet;
 * the call counts as one open connection of the worker's from the pick to its end, for least-connections), the
 * stream to that worker, and the request's frames on their way to it: the request's headers and the frames read
 * while the stream is being opened wait here (what one read gave), then go first. Its {@link GrpcCall} decides
 * when; this does it. Used on the call's event loop only.
 */
final class WorkerLeg {

    private final GrpcCall call;
    private Http2HeadersFrame requestHeaders;
    /** Client frames read while the worker's stream was being opened. */
    private ArrayDeque<Http2StreamFrame> early;
    private List<Backend> tried;
    private Backend backend;
    private BackendLease lease;
    private Http2StreamChannel stream;
    private boolean needsFlush;

    WorkerLeg(GrpcCall call) {
        this.call = call;
    }

    /** The request's headers, sent when the worker's stream is open. */
    void request(Http2HeadersFrame headers) {
        requestHeaders = headers;
    }

    /**
     * Picks a worker among those in rotation not tried yet, and opens a stream to it ({@link GrpcCall#workerOpened},
     * or {@link GrpcCall#connectFailed}).
     *
     * @return false when no worker is left (the listener is told; nothing is claimed)
     */
    boolean dispatch(Upstream upstream, WorkerConnections workers, EventLoop loop) {
        Backend[] candidates = upstream.backendsExcept(tried);
        if (candidates.length == 0) {
            upstream.noBackendAvailable();
            return false;
        }
        backend = upstream.strategy().pick(candidates);
        lease = new BackendLease(backend); // least-connections counts calls in flight
        workers.open(upstream, backend, call, loop);
        return true;
    }

    /** Workers tried whose connect failed. */
    int tried() {
        return tried == null ? 0 : tried.size();
    }

    /** The worker picked last; null before the first pick. */
    Backend backend() {
        return backend;
    }

    /**
     * The connection to {@code failed} could not be made: its claim is released and it is not picked again.
     *
     * @return false when {@code failed} is not the worker this call waits for (nothing changes)
     */
    boolean connectFailed(Backend failed) {
        if (failed != backend) {
            return false;
        }
        releaseLease();
        if (tried == null) {
            tried = new ArrayList<>(2);
        }
        tried.add(failed);
        return true;
    }

    /** A client frame read while the worker's stream is being opened. */
    void hold(Http2StreamFrame frame) {
        if (early == null) {
            early = new ArrayDeque<>(4);
        }
        early.add(frame);
    }

    /**
     * The worker's stream is open: the request's headers open it on the wire ({@code grpcTimeout} replacing the
     * client's, if not null), then the frames held, flushed; the worker's first frames are read.
     */
    void opened(Http2StreamChannel stream, CharSequence grpcTimeout, CallTally tally) {
        this.stream = stream;
        Http2HeadersFrame headers = requestHeaders;
        requestHeaders = null;
        if (grpcTimeout != null) {
            headers.headers().set(GrpcAnswers.GRPC_TIMEOUT, grpcTimeout);
        }
        stream.write(headers.stream(null), stream.voidPromise());
        if (early != null) {
            Http2StreamFrame frame;
            while ((frame = early.poll()) != null) {
                forward(frame, tally);
            }
        }
        needsFlush = false;
        stream.flush();
        stream.read();
    }

    /** A client frame to the worker's stream (written, flushed by {@link #flush}); DATA is counted, unpadded. */
    void forward(Http2StreamFrame frame, CallTally tally) {
        if (frame instanceof Http2DataFrame) {
            Http2DataFrame data = (Http2DataFrame) frame;
            tally.fromClient(data.content().readableBytes());
            frame = GrpcFrames.unpadded(data);
        } else if (!(frame instanceof Http2HeadersFrame)) {
            ReferenceCountUtil.release(frame);
            return;
        }
        stream.write(frame.stream(null), stream.voidPromise());
        needsFlush = true;
    }

    /** Flushes what {@link #forward} wrote since the last flush. */
    void flush() {
        if (needsFlush) {
            needsFlush = false;
            stream.flush();
        }
    }

    /** Whether the worker's stream takes more of the request. */
    boolean isWritable() {
        return stream.isWritable();
    }

    /** Reads the worker's next frames. */
    void read() {
        stream.read();
    }

    /** The call ended: its claim on the worker is released, its stream closed (RST_STREAM CANCEL if unfinished). */
    void end() {
        releaseLease();
        if (stream != null) {
            stream.close(); // RST_STREAM(CANCEL) unless both ends of the stream were sent
            stream = null;
        }
        if (early != null) {
            Http2StreamFrame frame;
            while ((frame = early.poll()) != null) {
                ReferenceCountUtil.release(frame);
            }
        }
        requestHeaders = null;
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }
}
