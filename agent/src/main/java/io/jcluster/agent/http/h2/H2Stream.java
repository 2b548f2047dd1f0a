package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;

/**
 * One HTTP/2 stream of an {@link H2ProxyConnection} as one HTTP/1.1 request and its response, for its
 * {@link StreamHandler}: the request's head ({@link RequestHead}) and body bytes ({@link RequestBody}) go to the
 * handler when it asks ({@link #read}); its response (the final head as the proxy scanned it, {@link #responseHead},
 * or HTTP/1.1 bytes) goes out as frames ({@link ResponseFrames}). Kept with its handler for the connection's next stream once its own ended.
 *
 * <p>Flow control: the request body's bytes count as consumed (the client's window opens again) only when the
 * handler takes them, so what waits here is bounded by the stream's window. The response is writable while the
 * stream's and the connection's windows and the channel take more.
 */
public final class H2Stream {

    private final H2ProxyConnection connection;
    private final StreamHandler handler;
    private final ResponseFrames response;
    private final RequestBody request = new RequestBody(this);
    private final Runnable end = this::ended;
    /** The stream served; null once it closed. */
    private Http2Stream stream;
    /** From start to the handler's ended(). */
    private boolean serving;
    private boolean endScheduled;
    /** Where it waits, its handler to hear that it is writable again ({@link H2ProxyConnection#blocked}), or -1. */
    int blockedAt = -1;

    H2Stream(H2ProxyConnection connection, int maxResponseHeaders,
             java.util.function.Function<H2Stream, StreamHandler> handlers) {
        this.connection = connection;
        this.response = new ResponseFrames(this, maxResponseHeaders, connection.commonValues);
        this.handler = handlers.apply(this);
    }

    /** The handler's request head, for {@link RequestHead#fill} before {@link #start}. */
    MessageHead requestHead() {
        return handler.requestHead();
    }

    void start(Http2Stream stream, int outcome, boolean chunked, boolean endStream, boolean headMethod) {
        this.stream = stream;
        this.serving = true;
        request.start(chunked, endStream);
        response.start(headMethod);
        handlerCalls++;
        try {
            handler.started(outcome);
            handler.readComplete();
        } finally {
            handlerCalls--;
        }
    }

    /** A DATA frame's bytes (not retained by the caller). */
    void requestData(ByteBuf data, boolean endStream) {
        request.data(data, endStream);
    }

    /** The request's trailers (valid): they end it. */
    void requestTrailers(Http2Headers trailers) {
        request.trailers(trailers);
    }

    /** Request bytes for the handler (ownership passes). */
    void toHandler(ByteBuf bytes) {
        handlerCalls++;
        try {
            handler.requestBytes(bytes);
            handler.readComplete();
        } finally {
            handlerCalls--;
        }
    }

    boolean serving() {
        return serving;
    }

    /** The client's DATA bytes the handler took: its window opens again by them. */
    void consume(int n) {
        if (n > 0 && stream != null) {
            try {
                connection.connection().local().flowController().consumeBytes(stream, n);
            } catch (Http2Exception e) {
                connection.onError(connection.context(), false, e);
            }
        }
    }

    /**
     * The stream closed: the handler hears it now, or, when this happens inside one of its calls (its last frame
     * written), once that call has returned.
     */
    void streamClosed() {
        stream = null;
        connection.unblocked(this);
        request.release();
        if (serving && !endScheduled) {
            if (handlerCalls == 0) {
                ended();
            } else {
                endScheduled = true;
                executor().execute(end);
            }
        }
    }

    /** Calls of the handler's in progress here (writes, ends): the stream's end is told after them. */
    private int handlerCalls;

    private void ended() {
        endScheduled = false;
        serving = false;
        response.release();
        request.release();
        handler.ended();
        connection.frames.recycle(this);
    }

    /** Kept no longer (the connection ended, or enough are kept). */
    void discard() {
        handler.discarded();
    }

    boolean open() {
        return stream != null;
    }

    // ---- for the handler ----

    public ByteBufAllocator alloc() {
        return connection.context().alloc();
    }

    public EventExecutor executor() {
        return connection.context().executor();
    }

    /** The client connection's channel. */
    public Channel channel() {
        return connection.context().channel();
    }

    /** The handler can take more of the request: it gets what is here (later, not inside this call) or next. */
    public void read() {
        request.read();
    }

    /** HTTP/1.1 response bytes (ownership passes); not flushed. */
    public void write(ByteBuf data) {
        if (stream == null) {
            data.release();
            return;
        }
        handlerCalls++;
        try {
            if (!response.write(data)) {
                reset(Http2Error.INTERNAL_ERROR);
            }
        } finally {
            handlerCalls--;
        }
    }

    /**
     * The final response head, as the proxy scanned and rewrote it ({@code extra}: name and value pairs it adds, or
     * null), and its body's framing ({@code length} for {@link BodyFraming.Kind#LENGTH}): framed from the scanned
     * fields, not written as bytes and scanned again. The body follows through {@link #write}. Not flushed.
     */
    public void responseHead(MessageHead head, BodyFraming.Kind framing, long length, AsciiString[] extra) {
        if (stream == null) {
            return;
        }
        handlerCalls++;
        try {
            response.head(head, framing, length, extra);
        } finally {
            handlerCalls--;
        }
    }

    /**
     * Through the connection handler's own flush (the frames its flow controller holds go out first), once per
     * event-loop iteration for all the connection's streams ({@link H2ProxyConnection#flushSoon}).
     */
    public void flush() {
        connection.flushSoon();
    }

    /**
     * Whether the stream's window, the connection's and the channel take more of the response now; when not, the
     * handler hears {@link StreamHandler#writabilityChanged} once they do (a handler pauses only after asking this).
     */
    public boolean isWritable() {
        if (stream == null) {
            return false;
        }
        if (connection.encoder().flowController().isWritable(stream)) {
            return true;
        }
        connection.blocked(this);
        return false;
    }

    boolean writableNow() {
        return stream != null && connection.encoder().flowController().isWritable(stream);
    }

    /** Ends the stream abruptly: RST_STREAM, CANCEL before a response began, INTERNAL_ERROR when it is cut. */
    public void close() {
        if (stream == null) {
            return;
        }
        handlerCalls++;
        try {
            if (response.complete()) {
                endRequest();
            } else {
                reset(response.started() ? Http2Error.INTERNAL_ERROR : Http2Error.CANCEL);
            }
        } finally {
            handlerCalls--;
        }
        flush();
    }

    /** Writes the response's last bytes ({@code last}, ownership passes), then the stream's end. */
    public void endAfter(ByteBuf last) {
        handlerCalls++;
        try {
            write(last);
            if (stream == null) {
                return;
            }
            if (response.untilEnd()) {
                response.endUntilEnd();
            }
            close();
        } finally {
            handlerCalls--;
        }
    }

    /**
     * The response is complete while the request is not: RFC 9113 section 8.1 lets the server tell the client to
     * stop sending it with RST_STREAM(NO_ERROR).
     */
    private void endRequest() {
        if (!request.ended() && stream != null) {
            reset(Http2Error.NO_ERROR);
        }
    }

    private void reset(Http2Error error) {
        Http2Stream s = stream;
        if (s != null) {
            ChannelHandlerContext ctx = connection.context();
            connection.resetStream(ctx, s.id(), error.code(), ctx.newPromise());
        }
    }

    /** A 1xx head or the trailers. */
    void writeHeaders(Http2Headers headers, boolean endStream) {
        Http2Stream s = stream;
        if (s == null) {
            return; // reset meanwhile
        }
        ChannelHandlerContext ctx = connection.context();
        connection.encoder().writeHeaders(ctx, s.id(), headers, 0, endStream, ctx.voidPromise());
    }

    /** The final response head. */
    void writeHead(Http2Headers headers, boolean endStream) {
        Http2Stream s = stream;
        if (s == null) {
            return; // reset meanwhile
        }
        ChannelHandlerContext ctx = connection.context();
        if (!connection.direct.head(ctx, s, headers, endStream)) {
            connection.encoder().writeHeaders(ctx, s.id(), headers, 0, endStream, ctx.voidPromise());
        }
    }

    void writeData(ByteBuf data, boolean endStream) {
        Http2Stream s = stream;
        if (s == null) {
            data.release(); // reset meanwhile
            return;
        }
        ChannelHandlerContext ctx = connection.context();
        if (!connection.direct.data(ctx, s, data, endStream)) {
            connection.encoder().writeData(ctx, s.id(), data, 0, endStream, ctx.voidPromise());
        }
    }

    /** The stream became writable again after its handler found it not. */
    void writabilityChanged() {
        if (serving) {
            handlerCalls++;
            try {
                handler.writabilityChanged();
            } finally {
                handlerCalls--;
            }
        }
    }
}
