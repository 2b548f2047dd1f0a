package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What one call did, for the end-of-call bookkeeping: its bytes both ways, the HTTP status and grpc-status it ended
 * with, how long it took; and that bookkeeping itself: the worker's response time (least-time strategies), the
 * listener's byte counts, and the access log line (only when access-log is on). Fields only: nothing is allocated
 * per call unless the access log is on.
 */
final class CallTally {

    private static final AsciiString USER_AGENT = AsciiString.cached("user-agent");

    /** The request's headers came: there is a call to account for (not so for a stream closed before them). */
    private boolean begun;
    private long startedAt;
    private long fromClient;
    private long toClient;
    /** The HTTP status the client got (the worker's, or the parent's answer's); 0 before any. */
    private int httpStatus;
    /** The grpc-status the call ended with (the worker's trailers, or the parent's answer); -1 without one. */
    private int grpcStatus = -1;
    /** The request's :method, :path and user-agent, for the access log (only when it is on). */
    private CharSequence method;
    private CharSequence path;
    private CharSequence userAgent;

    /** The request's headers came (before the forwarding rewrite); returns when, in System.nanoTime. */
    long begin(Http2Headers request, boolean logged) {
        begun = true;
        startedAt = System.nanoTime();
        if (logged) { // references to the request's texts, made log text only when the call ends
            method = request.method();
            path = request.path();
            userAgent = request.get(USER_AGENT);
        }
        return startedAt;
    }

    void fromClient(int bytes) {
        fromClient += bytes;
    }

    void toClient(int bytes) {
        toClient += bytes;
    }

    /** The worker's response headers (the first HEADERS frame of its response). */
    void responseHead(Http2Headers head) {
        CharSequence status = head.status();
        httpStatus = status == null ? 0 : GrpcFrames.status(status);
    }

    /** The worker's trailers (or a Trailers-Only response). */
    void trailers(Http2Headers trailers) {
        CharSequence status = trailers.get(GrpcAnswers.GRPC_STATUS);
        grpcStatus = status == null ? -1 : GrpcFrames.status(status);
    }

    /** The parent answered the call: a gRPC answer (trailers; {@code :status 200} if none went out yet). */
    void answeredGrpc(int grpcStatus, boolean responseStarted) {
        this.httpStatus = responseStarted ? this.httpStatus : 200;
        this.grpcStatus = grpcStatus;
    }

    /** The parent answered a request that is not gRPC with this HTTP status. */
    void answeredHttp(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /**
     * The call ended (nothing is counted if its request's headers never came).
     *
     * @param backend        its worker, null if none was picked
     * @param workerAnswered whether the worker's response completed (its time counts for the strategy)
     * @param workerResponded whether any of the worker's response reached the client (the log's worker)
     */
    void ended(ClientCalls calls, Backend backend, boolean workerAnswered, boolean workerResponded) {
        if (!begun) {
            return;
        }
        long took = System.nanoTime() - startedAt;
        if (calls.log() != null) {
            calls.log().call(method, path, userAgent, httpStatus, grpcStatus, toClient, fromClient,
                    backend != null && workerResponded ? backend.owner() : -1, took);
        }
        if (backend != null) {
            if (workerAnswered) {
                backend.requestCompleted(took);
            }
            calls.upstream().transferred(backend, fromClient, toClient);
        }
    }
}
