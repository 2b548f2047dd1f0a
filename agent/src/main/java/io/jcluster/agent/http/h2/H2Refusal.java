package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The HTTP/2 answer to a client that max-connections turned away after it chose h2 (by ALPN, or by the h2c preface):
 * what an HTTP/1.1 client gets as bytes, it gets as frames, since HTTP/1.1 bytes are a protocol error to it. The
 * server preface SETTINGS (one stream at a time), then the first stream's request is answered 503 with
 * {@code retry-after} and a line saying why, then GOAWAY(NO_ERROR) whose last stream is that one, then the close.
 * A 503 with {@code retry-after} is what browsers, curl and h2load show as "try again later"
 * (RFC 9110 section 15.6.4); the GOAWAY tells the client that any later stream it opened was not processed, so it
 * may send it again (RFC 9113 section 6.8). Streams past the first that arrive at once are refused by the codec
 * (RST_STREAM(REFUSED_STREAM), also safe to retry).
 */
public final class H2Refusal extends ChannelInboundHandlerAdapter {

    private final String why;
    private final long retryAfterSeconds;
    private final Consumer<HttpRequest> turnedAway;
    private boolean answered;

    private H2Refusal(String why, long retryAfterSeconds, Consumer<HttpRequest> turnedAway) {
        this.why = why;
        this.retryAfterSeconds = retryAfterSeconds;
        this.turnedAway = turnedAway;
    }

    /**
     * Makes {@code pipeline}'s channel an HTTP/2 connection that refuses its first request (after TLS, if any); its
     * reads are turned on. How long it may stay open is up to the caller (as for an HTTP/1.1 client turned away).
     *
     * @param why        the line the response's body carries
     * @param turnedAway told the first request (as Netty's HTTP/1.1 view of it), e.g. for the access log
     */
    public static void install(ChannelPipeline pipeline, H2Limits limits, String why, long retryAfterSeconds,
                               Consumer<HttpRequest> turnedAway) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(1)
                        .maxHeaderListSize(limits.maxHeaderListSize()))
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(H2Limits.MAX_RESETS, H2Limits.RST_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(H2Limits.MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(H2Limits.MAX_SMALL_CONTINUATIONS)
                .gracefulShutdownTimeoutMillis(0) // nothing is in progress to wait for once the 503 is sent
                .build();
        pipeline.addLast("h2-codec", codec);
        pipeline.addLast("h2-refusal", new H2Refusal(why, retryAfterSeconds, turnedAway));
        pipeline.channel().config().setAutoRead(true);
        pipeline.channel().read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame frame && !answered) {
                answered = true;
                answer(ctx, frame.stream(), frame.headers());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Headers request) {
        try {
            turnedAway.accept(HttpConversionUtil.toHttpRequest(stream.id(), request, false));
        } catch (Http2Exception | RuntimeException e) {
            // a request the conversion cannot read is still answered; it is just not described
        }
        ByteBuf body = Unpooled.copiedBuffer("jcluster: " + why + "\n", StandardCharsets.UTF_8);
        Http2Headers head = new DefaultHttp2Headers()
                .status("503")
                .set("content-type", "text/plain; charset=utf-8")
                .setInt("content-length", body.readableBytes())
                .setLong("retry-after", Math.max(1, retryAfterSeconds));
        ctx.write(new DefaultHttp2HeadersFrame(head).stream(stream));
        ctx.write(new DefaultHttp2DataFrame(body, true).stream(stream));
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        ChannelHandlerContext codecContext = ctx.pipeline().context(codec);
        codec.goAway(codecContext, stream.id(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                codecContext.newPromise()).addListener(ChannelFutureListener.CLOSE);
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof Http2Exception)) { // the codec ends the connection itself on its own errors
            ctx.close();
        }
    }
}
