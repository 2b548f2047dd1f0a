package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An HTTP/2 client connection of mode=grpc: Netty's frame codec and stream multiplexer on the connection, each
 * stream a child channel of its own whose handlers relay its frames. Also the connection's part in graceful stop
 * (GOAWAY, then the streams in progress finish) and its idle timeout. (The http mode's connections need no channel
 * per stream: {@link H2ProxyConnection}.)
 */
public final class H2Connection extends ChannelInboundHandlerAdapter implements ClientConnection {

    static final String NAME = "h2-connection";

    private final H2Limits limits;
    /** Adds the handlers of each stream's child channel. */
    private final Consumer<Http2StreamChannel> streamPipeline;
    private ChannelHandlerContext ctx;
    private int openStreams;
    private ScheduledFuture<?> idleClose;
    private boolean closing;

    private H2Connection(H2Limits limits, Consumer<Http2StreamChannel> streamPipeline) {
        this.limits = limits;
        this.streamPipeline = streamPipeline;
    }

    /**
     * Makes {@code pipeline}'s channel an HTTP/2 connection from here on (after TLS, if any), each stream's child
     * channel with what {@code streamPipeline} adds: handlers that read and write {@code Http2StreamFrame}s
     * themselves (mode=grpc relays frames). The child channel's reads are off; the connection's are on: Netty's flow
     * control bounds what the client may send.
     */
    public static void install(ChannelPipeline pipeline, H2Limits limits, Consumer<Http2StreamChannel> streamPipeline) {
        H2Connection connection = new H2Connection(limits, streamPipeline);
        pipeline.addLast("h2-codec", codec(limits));
        pipeline.addLast("h2-streams", new Http2MultiplexHandler(connection.new StreamSetup()));
        pipeline.addLast(NAME, connection);
    }

    static Http2FrameCodec codec(H2Limits limits) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(limits.maxHeaderListSize())
                        .initialWindowSize(H2Limits.STREAM_WINDOW))
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(H2Limits.MAX_RESETS, H2Limits.RST_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(H2Limits.MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(H2Limits.MAX_SMALL_CONTINUATIONS)
                .gracefulShutdownTimeoutMillis(limits.gracefulStop().toMillis())
                .build();
        return codec;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        Channel channel = ctx.channel();
        channel.attr(ClientConnection.KEY).set(this);
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        // the connection window is raised once, at the start (RFC 9113 section 6.9.2: only WINDOW_UPDATE raises it)
        int raise = limits.connectionWindow() - H2Limits.STREAM_WINDOW;
        if (raise > 0) {
            codec.connection().local().flowController()
                    .incrementWindowSize(codec.connection().connectionStream(), raise);
        }
        idleFrom();
        channel.config().setAutoRead(true);
        channel.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        ctx.fireChannelInactive();
    }

    /**
     * The client closed its side of the TCP connection: HTTP/2 has no half-closed connection (a stream ends with
     * END_STREAM, not a FIN), so the connection is over. Closed now, its streams with it: a graceful close would wait
     * up to shutdown-timeout for streams no client will take (one stuck on a window the client never reopens would
     * hold its worker connection all that time).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            closing = true;
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec != null) {
                codec.gracefulShutdownTimeoutMillis(0);
            }
            ctx.close();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            return; // the codec ends the connection itself, with the GOAWAY code that says why
        }
        // resets, broken pipes, TLS failures: nothing to answer
        ctx.close();
    }

    /** Graceful stop: GOAWAY now, the streams in progress finish (bounded by gracefulStop), then the close. */
    @Override
    public void closeIfIdle() {
        if (!closing) {
            closing = true;
            ctx.close(); // Netty's Http2ConnectionHandler makes this a graceful close: GOAWAY(NO_ERROR) first
        }
    }

    private void idleFrom() {
        cancelIdle();
        if (!limits.idleTimeout().isZero()) {
            idleClose = ctx.executor().schedule(this::closeIfIdle, limits.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdle() {
        if (idleClose != null) {
            idleClose.cancel(false);
            idleClose = null;
        }
    }

    /**
     * Sets up each stream's child channel: its reads off, then {@code streamPipeline} (by default HTTP objects from
     * and to frames, HTTP/1.1 bytes from and to objects).
     */
    private final class StreamSetup extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            // the stream handler reads when it can take more (the request body under back-pressure)
            stream.config().setAutoRead(false);
            streamPipeline.accept(stream);
            openStreams++;
            cancelIdle();
            stream.closeFuture().addListener(closed -> {
                if (--openStreams == 0 && !closing && ctx.channel().isActive()) {
                    idleFrom();
                }
            });
        }
    }
}
