package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The frames a client sends on its streams, to their {@link H2Stream}s: a request's HEADERS become its HTTP/1.1
 * head ({@link RequestHead}, written into the head its handler reads), its DATA its body, its trailing HEADERS a chunked body's trailer section. Netty has checked them first (RFC 9113 section 8.2.2:
 * connection-specific fields and a {@code te} other than {@code trailers} reset the stream; section 8.1.1: DATA that
 * does not add up to {@code content-length} resets the stream before the offending frame is delivered).
 *
 * <p>Stream objects are kept for the next streams once theirs ended: at most as many as streams may be open at
 * once, so a connection with many streams one after the other makes no new ones.
 */
final class StreamFrames extends Http2FrameAdapter {

    private final H2ProxyConnection connection;
    private final int maxIdle;
    private final int maxResponseHeaders;
    private final Function<H2Stream, StreamHandler> handlers;
    private final ArrayDeque<H2Stream> idle = new ArrayDeque<>();
    final Http2Connection.PropertyKey key;

    StreamFrames(H2ProxyConnection connection, int maxIdle, int maxResponseHeaders,
                 Function<H2Stream, StreamHandler> handlers) {
        this.connection = connection;
        this.maxIdle = maxIdle;
        this.maxResponseHeaders = maxResponseHeaders;
        this.handlers = handlers;
        this.key = connection.connection().newKey();
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endStream) throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endStream) throws Http2Exception {
        Http2Stream stream = connection.connection().stream(streamId);
        if (stream == null) {
            return;
        }
        H2Stream existing = stream.getProperty(key);
        if (existing != null) {
            // trailers (RFC 9113 section 8.1; Netty refuses a second HEADERS without END_STREAM)
            if (!RequestHead.trailersValid(headers)) {
                throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR,
                        "malformed request trailer field");
            }
            existing.requestTrailers(headers);
            return;
        }
        boolean chunked = !endStream && !headers.contains(RequestHead.CONTENT_LENGTH);
        H2Stream h2 = idle.pollLast();
        if (h2 == null) {
            h2 = new H2Stream(connection, maxResponseHeaders, handlers);
        }
        int outcome = RequestHead.fill(h2.requestHead(), headers, chunked);
        if (outcome == RequestHead.MALFORMED) {
            idle.addLast(h2); // unused: kept for the next stream
            // RFC 9113 section 8.1.1: malformed (a field that cannot be HTTP/1.1, a missing pseudo-header)
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR,
                    "malformed request header field");
        }
        stream.setProperty(key, h2);
        h2.start(stream, outcome, chunked, endStream, RequestHead.isHead(headers));
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2Stream stream = connection.connection().stream(streamId);
        H2Stream h2 = stream == null ? null : stream.getProperty(key);
        if (h2 == null) {
            return data.readableBytes() + padding; // nobody takes it: the window opens at once
        }
        h2.requestData(data, endOfStream);
        return padding; // the data's bytes count as consumed once the stream's handler has taken them
    }

    /** The stream closed (both ends done, a reset either way, or the connection's end). */
    void streamClosed(Http2Stream stream) {
        H2Stream h2 = stream.removeProperty(key);
        if (h2 != null) {
            h2.streamClosed();
        }
    }

    /** {@code h2} served its stream to the end and its handler has heard so: kept for a next stream. */
    void recycle(H2Stream h2) {
        if (idle.size() < maxIdle && connection.context().channel().isActive()) {
            idle.addLast(h2);
        } else {
            h2.discard();
        }
    }

    /** The connection ended: the kept stream objects serve no more streams. */
    void discardIdle() {
        for (H2Stream h2; (h2 = idle.pollLast()) != null; ) {
            h2.discard();
        }
    }
}
