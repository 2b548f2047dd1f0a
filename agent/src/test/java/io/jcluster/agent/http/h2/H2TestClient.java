package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that crafts raw HTTP/2 frames (Netty's frame writer, and hand-made frames where the writer refuses) and
 * reads what the server sent back as lines like {@code HEADERS 1 :status=200 end}; drives an EmbeddedChannel.
 */
public final class H2TestClient {

    public final EmbeddedChannel server;
    private final EmbeddedChannel wire = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = wire.pipeline().firstContext();
    final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    /** Takes heads of up to 64 KiB (the proxy passes on what its response-header limit allows). */
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(
            new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder(false, 64 * 1024));
    private ByteBuf received = Unpooled.buffer();
    /** Every frame the server sent, in order. */
    public final List<String> frames = new ArrayList<>();
    public final StringBuilder bodies = new StringBuilder();

    public H2TestClient(EmbeddedChannel server) {
        this.server = server;
    }

    /** The connection preface and an empty SETTINGS frame. */
    public H2TestClient preface() {
        wire.writeOutbound(Http2CodecUtil.connectionPrefaceBuf());
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        return this;
    }

    public static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").path(path).authority("example.com");
    }

    public H2TestClient headers(int stream, Http2Headers headers, boolean endStream) {
        writer.writeHeaders(ctx, stream, headers, 0, endStream, ctx.newPromise());
        return this;
    }

    public H2TestClient data(int stream, String text, boolean endStream) {
        writer.writeData(ctx, stream, Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), 0, endStream,
                ctx.newPromise());
        return this;
    }

    public H2TestClient reset(int stream) {
        writer.writeRstStream(ctx, stream, Http2Error.CANCEL.code(), ctx.newPromise());
        return this;
    }

    H2TestClient ping(long data) {
        writer.writePing(ctx, false, data, ctx.newPromise());
        return this;
    }

    H2TestClient settings() {
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        return this;
    }

    /** SETTINGS with SETTINGS_INITIAL_WINDOW_SIZE: the window each stream the server sends on starts with. */
    public H2TestClient initialWindow(int size) {
        writer.writeSettings(ctx, new Http2Settings().initialWindowSize(size), ctx.newPromise());
        return this;
    }

    public H2TestClient windowUpdate(int stream, int increment) {
        writer.writeWindowUpdate(ctx, stream, increment, ctx.newPromise());
        return this;
    }

    /** A frame as it is: type, flags and payload of the caller's choosing. */
    H2TestClient raw(byte type, int stream, int flags, ByteBuf payload) {
        writer.writeFrame(ctx, type, stream, new Http2Flags((short) flags), payload, ctx.newPromise());
        return this;
    }

    /** Sends what was written so far to the server in one read, and takes in what it answered. */
    public H2TestClient send() {
        wire.flush();
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = wire.readOutbound()) != null; ) {
            all.writeBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        if (server.isOpen()) {
            server.writeInbound(all);
        } else {
            all.release();
        }
        return receive();
    }

    /**
     * Only what the server flushed itself is taken (the default: a server that forgets to flush fails its test);
     * false: the channel is flushed first.
     */
    public boolean serverFlushes = true;

    public H2TestClient receive() {
        if (server.isOpen()) {
            server.runPendingTasks();
            if (!serverFlushes) {
                server.flushOutbound();
            }
        }
        for (Object out; (out = server.readOutbound()) != null; ) {
            received.writeBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        try {
            while (received.readableBytes() >= 9) {
                int length = received.getUnsignedMedium(received.readerIndex());
                if (received.readableBytes() < 9 + length) {
                    break;
                }
                reader.readFrame(ctx, received.readRetainedSlice(9 + length), new Recorder());
            }
        } catch (Http2Exception e) {
            throw new AssertionError(e);
        }
        received.discardReadBytes();
        return this;
    }

    public boolean sawFrame(String prefix) {
        return frames.stream().anyMatch(frame -> frame.startsWith(prefix));
    }

    private final class Recorder extends Http2EventAdapter {
        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
            frames.add("DATA " + streamId + " " + data.readableBytes() + (end ? " end" : ""));
            bodies.append(data.toString(StandardCharsets.US_ASCII));
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean end) {
            frames.add("HEADERS " + streamId + " :status=" + headers.status() + (end ? " end" : "") + " " + headers);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int dependency,
                                  short weight, boolean exclusive, int padding, boolean end) {
            onHeadersRead(ctx, streamId, headers, padding, end);
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
            frames.add("WINDOW_UPDATE " + streamId + " " + windowSizeIncrement);
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            frames.add("RST " + streamId + " " + Http2Error.valueOf(errorCode));
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            frames.add("GOAWAY " + lastStreamId + " " + Http2Error.valueOf(errorCode));
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            frames.add("SETTINGS " + settings);
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {
            frames.add("PING");
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
            frames.add("PING-ACK");
        }
    }
}
