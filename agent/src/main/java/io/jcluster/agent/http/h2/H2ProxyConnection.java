package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An HTTP/2 client connection of the http mode: Netty's connection handler (framing, HPACK, flow control and the
 * limits of {@link H2Limits}) with {@link StreamFrames} as its frame listener, and no channel, pipeline or HTTP
 * object per stream. Each stream is an {@link H2Stream} whose request reaches its {@link StreamHandler} as HTTP/1.1
 * bytes and whose HTTP/1.1 response bytes go back as frames; the stream objects (with their handlers) are kept for
 * the connection's next streams. Also the connection's part in graceful stop (GOAWAY, then the streams in progress
 * finish) and its idle timeout. (mode=grpc relays frames on child channels instead: {@link H2Connection}.)
 */
public final class H2ProxyConnection extends Http2ConnectionHandler implements ClientConnection {

    private final H2Limits limits;
    final StreamFrames frames;
    final DirectFrames direct;
    /** The response field values its streams sent last ({@link ResponseFrames}'s, one set per connection). */
    final CommonValues commonValues = new CommonValues();
    private ChannelHandlerContext ctx;
    /** The one idle timer: re-armed by itself from {@link #idleSince}, never cancelled and set again per stream. */
    private ScheduledFuture<?> idleTimer;
    /** When the last stream ended (the executor's ticker), or {@link #BUSY} while one is open. */
    private long idleSince = BUSY;
    private static final long BUSY = Long.MIN_VALUE;
    private final Runnable idleCheck = this::idleCheck;
    private boolean closing;
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushNow;
    /**
     * The streams whose handler found them unwritable ({@link H2Stream#isWritable}) and waits to hear that they are
     * writable again: checked after each flush (which follows every read, so every WINDOW_UPDATE and SETTINGS, and
     * writes what the flow controller holds) and each change of the channel's writability. Netty's own writability
     * listener walks every active stream on such changes and tells each stream's flips both ways, at a cost per
     * request; here only the waiting streams are looked at, and only in the direction a handler waits for.
     */
    private H2Stream[] blocked = new H2Stream[4];
    private int blockedCount;

    private H2ProxyConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                              H2Limits limits, int maxResponseHeaders, Function<H2Stream, StreamHandler> handlers,
                              FrameBatch batch) {
        super(decoder, encoder, settings);
        this.limits = limits;
        this.frames = new StreamFrames(this, limits.maxConcurrentStreams(), maxResponseHeaders, handlers);
        this.direct = new DirectFrames(this, encoder, batch);
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                idleSince = BUSY;
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                frames.streamClosed(stream);
                if (connection().numActiveStreams() == 0 && !closing && ctx != null && ctx.channel().isActive()) {
                    idleFrom();
                }
            }
        });
    }

    /**
     * Makes {@code pipeline}'s channel an HTTP/2 connection from here on (after TLS, if any); its reads are turned
     * on: flow control bounds what the client may send.
     *
     * @param handlers makes the handler of a new stream object (the http mode's proxy exchange)
     */
    public static void install(ChannelPipeline pipeline, H2Limits limits, int maxResponseHeaders,
                               Function<H2Stream, StreamHandler> handlers) {
        FrameBatch batch = new FrameBatch();
        pipeline.addLast("h2-batch", batch); // below the connection handler: every write of it passes the batch
        pipeline.addLast("h2-proxy", new Builder(limits, maxResponseHeaders, handlers, batch).build());
    }

    /** The same settings as {@link H2Connection#codec}: the limits each stream and the connection get. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2ProxyConnection, Builder> {
        private final H2Limits limits;
        private final int maxResponseHeaders;
        private final Function<H2Stream, StreamHandler> handlers;
        private final FrameBatch batch;

        Builder(H2Limits limits, int maxResponseHeaders, Function<H2Stream, StreamHandler> handlers,
                FrameBatch batch) {
            this.limits = limits;
            this.batch = batch;
            this.maxResponseHeaders = maxResponseHeaders;
            this.handlers = handlers;
            // streams share the connection's window in turn: no priority tree per stream (RFC 9113 deprecated
            // the priority scheme; Netty's weighted default keeps one, updated on every stream's start and end)
            Http2Connection connection = new DefaultHttp2Connection(true);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                    new UniformStreamByteDistributor(connection)));
            connection(connection);
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(limits.maxConcurrentStreams())
                    .maxHeaderListSize(limits.maxHeaderListSize())
                    .initialWindowSize(H2Limits.STREAM_WINDOW));
            validateHeaders(true);
            decoderEnforceMaxRstFramesPerWindow(H2Limits.MAX_RESETS, H2Limits.RST_WINDOW_SECONDS);
            encoderEnforceMaxQueuedControlFrames(H2Limits.MAX_QUEUED_CONTROL_FRAMES);
            decoderEnforceMaxSmallContinuationFrames(H2Limits.MAX_SMALL_CONTINUATIONS);
            gracefulShutdownTimeoutMillis(limits.gracefulStop().toMillis());
        }

        @Override
        public H2ProxyConnection build() {
            return super.build();
        }

        @Override
        protected H2ProxyConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                          Http2Settings settings) {
            H2ProxyConnection connection = new H2ProxyConnection(decoder, encoder, settings, limits,
                    maxResponseHeaders, handlers, batch);
            frameListener(connection.frames);
            return connection;
        }
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /**
     * The streams' flush, once for all of them: after the event loop has handled every worker connection that is
     * ready now, so that the responses of the streams answered in one loop iteration leave in one write, not one
     * write (one system call) per stream.
     */
    void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        flush(ctx);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        super.flush(ctx);
        try {
            resumeWritable();
        } catch (Exception e) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        super.channelWritabilityChanged(ctx);
        resumeWritable();
    }

    /** {@code stream}'s handler found it unwritable: it hears when it is writable again ({@link #resumeWritable}). */
    void blocked(H2Stream stream) {
        if (stream.blockedAt < 0) {
            if (blockedCount == blocked.length) {
                blocked = java.util.Arrays.copyOf(blocked, 2 * blockedCount);
            }
            stream.blockedAt = blockedCount;
            blocked[blockedCount++] = stream;
        }
    }

    /** {@code stream} closed: it waits no more (its object may serve a next stream, and wait again, anew). */
    void unblocked(H2Stream stream) {
        if (stream.blockedAt >= 0) {
            blocked[stream.blockedAt] = null;
            stream.blockedAt = -1;
        }
    }

    /**
     * Tells each waiting stream that has become writable (its window and the connection's have room for more than
     * it has queued, and the channel takes more). Handlers told here may mark streams (appended, and checked in
     * this pass too) or close them (their slot emptied).
     */
    private void resumeWritable() throws Exception {
        if (blockedCount == 0) {
            return;
        }
        if (resuming) {
            resumeAgain = true; // a handler's write changed the channel's writability: once more after this pass
            return;
        }
        resuming = true;
        try {
            do {
                resumeAgain = false;
                int kept = 0;
                for (int i = 0; i < blockedCount; i++) {
                    H2Stream stream = blocked[i];
                    blocked[i] = null;
                    if (stream == null) {
                        continue; // closed meanwhile
                    }
                    if (stream.writableNow()) {
                        stream.blockedAt = -1;
                        try {
                            stream.writabilityChanged();
                        } catch (RuntimeException e) {
                            exceptionCaught(ctx, e); // a handler's fault: the connection closes, its streams too
                        }
                    } else {
                        stream.blockedAt = kept;
                        blocked[kept++] = stream;
                    }
                }
                blockedCount = kept;
            } while (resumeAgain && blockedCount > 0);
        } finally {
            resuming = false;
        }
    }

    private boolean resuming;
    private boolean resumeAgain;

    Http2Connection.PropertyKey streamKey() {
        return frames.key;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
        Channel channel = ctx.channel();
        channel.attr(ClientConnection.KEY).set(this);
        // the connection window is raised once, at the start (RFC 9113 section 6.9.2: only WINDOW_UPDATE raises it)
        int raise = limits.connectionWindow() - H2Limits.STREAM_WINDOW;
        if (raise > 0) {
            connection().local().flowController().incrementWindowSize(connection().connectionStream(), raise);
        }
        idleFrom();
        channel.config().setAutoRead(true);
        channel.read();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelIdle();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelIdle();
        super.channelInactive(ctx); // closes the streams: each one's handler hears it (StreamFrames.streamClosed)
        frames.discardIdle();
    }

    /**
     * The client closed its side of the TCP connection: HTTP/2 has no half-closed connection (a stream ends with
     * END_STREAM, not a FIN), so the connection is over. Closed now, its streams with it: a graceful close would wait
     * up to shutdown-timeout for streams no client will take (one stuck on a window the client never reopens would
     * hold its worker connection all that time).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            closing = true;
            gracefulShutdownTimeoutMillis(0);
            ctx.channel().close();
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause); // ends the stream or the connection, with the code that says why
            return;
        }
        // resets, broken pipes, TLS failures: nothing to answer
        ctx.close();
    }

    /** Graceful stop: GOAWAY now, the streams in progress finish (bounded by gracefulStop), then the close. */
    @Override
    public void closeIfIdle() {
        if (!closing) {
            closing = true;
            ctx.channel().close(); // through this handler: a graceful close, GOAWAY(NO_ERROR) first
        }
    }

    /**
     * No stream is open from now: the connection closes after idle-timeout unless one opens. A field write when the
     * timer is already set (streams one after the other keep it set; it re-arms itself from {@link #idleSince}).
     */
    private void idleFrom() {
        if (limits.idleTimeout().isZero()) {
            return;
        }
        idleSince = ctx.executor().ticker().nanoTime();
        if (idleTimer == null) {
            idleTimer = ctx.executor().schedule(idleCheck, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void idleCheck() {
        idleTimer = null;
        if (closing || idleSince == BUSY || !ctx.channel().isActive()) {
            return; // an open stream's end sets the timer again
        }
        long left = idleSince + limits.idleTimeout().toNanos() - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            idleTimer = ctx.executor().schedule(idleCheck, left, TimeUnit.NANOSECONDS);
        } else {
            closeIfIdle();
        }
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
