package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.http.proxy.HttpSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.util.ArrayDeque;

/**
 * One HTTP/2 connection (h2c, prior knowledge) to a worker's private port, carrying the calls of many clients as
 * streams: Netty's frame codec and multiplexer, a child channel per call ({@link WorkerStream}). Its handler (last in
 * its pipeline) follows the connection: calls wait here while it connects; the worker's GOAWAY (a graceful stop,
 * a reload) retires it from the pool, the streams it took finish, new calls get a new connection; its close ends the
 * streams still on it (each call then answers UNAVAILABLE, see {@link GrpcCall#workerClosed}).
 *
 * <p>Memory: each stream's receive window is 64 KiB and the connection's one window per stream it may carry, so a
 * call whose client reads slowly holds at most its window here and never stalls the other calls on the connection.
 */
final class WorkerConnection extends ChannelInboundHandlerAdapter {

    /** Streams one connection carries at most; a call beyond them opens another connection to the worker. */
    static final int MAX_STREAMS = 100;
    /**
     * Past this stream id a connection takes no new calls (stream ids are never reused, RFC 9113 section 5.1.1: a
     * connection that has used them up is replaced).
     */
    static final int LAST_STREAM_ID = Integer.MAX_VALUE - 2 * MAX_STREAMS;
    /** Per-stream receive window (the HTTP/2 default). */
    static final int STREAM_WINDOW = 65_535;

    enum State { CONNECTING, READY, RETIRED }

    /** Workers do not open streams (no server push: SETTINGS_ENABLE_PUSH 0); one that tries has it closed. */
    private static final ChannelHandler NO_INBOUND_STREAMS = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel stream) {
            stream.close();
        }
    };

    private final WorkerConnections pool;
    private final Upstream upstream;
    private final Backend backend;
    private final int maxStreams;
    private State state = State.CONNECTING;
    private Channel channel;
    private Http2FrameCodec codec;
    private Http2StreamChannelBootstrap streams;
    /** Streams opened or being opened on it. */
    private int open;
    /** Calls waiting for the connect. */
    private final ArrayDeque<GrpcCall> waiting = new ArrayDeque<>(4);

    WorkerConnection(WorkerConnections pool, Upstream upstream, Backend backend, int maxStreams) {
        this.pool = pool;
        this.upstream = upstream;
        this.backend = backend;
        this.maxStreams = maxStreams;
    }

    Backend backend() {
        return backend;
    }

    /** Whether a call may open a stream on it now. */
    boolean hasRoom() {
        if (state == State.CONNECTING) {
            return open < maxStreams;
        }
        return state == State.READY && open < maxStreams && codec.connection().local().canOpenStream()
                && !codec.connection().goAwayReceived()
                && codec.connection().local().lastStreamCreated() < LAST_STREAM_ID;
    }

    void connect(EventLoop loop) {
        upstream.connectShared(loop, backend).addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture connect) {
        if (!connect.isSuccess()) {
            state = State.RETIRED;
            pool.retire(this);
            upstream.connectFailed(backend, connect.cause());
            GrpcCall call;
            while ((call = waiting.poll()) != null) {
                open--;
                call.connectFailed(backend);
            }
            return;
        }
        channel = connect.channel();
        // the balancer's connector keeps a half-closed connection open for the tcp relay; here a worker's FIN
        // (kill -9 sends nothing else) must end the connection, or its calls wait for their deadlines
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(HttpSettings.MAX_RESPONSE_HEADERS))
                .validateHeaders(true)
                .build();
        Upstream.install(channel, codec, new Http2MultiplexHandler(NO_INBOUND_STREAMS), this);
        streams = new Http2StreamChannelBootstrap(channel);
        state = State.READY;
        channel.config().setAutoRead(true); // each stream's window bounds what the worker may send
        channel.read();
        GrpcCall call;
        while ((call = waiting.poll()) != null) {
            openNow(call);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        // the connection window is raised once, at the start (RFC 9113 section 6.9.2): a window per stream
        int raise = (int) Math.min(Integer.MAX_VALUE, (long) maxStreams * STREAM_WINDOW) - STREAM_WINDOW;
        if (raise > 0) {
            codec.connection().local().flowController()
                    .incrementWindowSize(codec.connection().connectionStream(), raise);
        }
    }

    /** Opens a stream for {@code call} (now or once connected). */
    void open(GrpcCall call) {
        open++;
        if (state == State.CONNECTING) {
            waiting.add(call);
        } else {
            openNow(call);
        }
    }

    private void openNow(GrpcCall call) {
        streams.handler(new WorkerStream(call)).open().addListener((Future<Http2StreamChannel> opened) -> {
            if (!opened.isSuccess()) {
                retire(); // a connection that cannot open a stream takes no more calls; its open ones finish
                streamClosed();
                call.connectFailed(backend); // nothing was sent: another worker may take it
                return;
            }
            Http2StreamChannel stream = opened.getNow();
            stream.closeFuture().addListener(closed -> streamClosed());
            call.workerOpened(stream);
        });
    }

    private void streamClosed() {
        open--;
        if (open == 0 && channel != null && (state == State.RETIRED || backend.draining())) {
            // retired (GOAWAY, a failed open), or its worker out of rotation (a reload, a scale-down): no call will
            // come; closed now rather than left to the worker
            retire();
            channel.close();
        }
    }

    private void retire() {
        if (state != State.RETIRED) {
            state = State.RETIRED;
            pool.retire(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2GoAwayFrame) {
            retire(); // the worker stops: its streams below the last id finish, new calls go to a new connection
        }
        ReferenceCountUtil.release(msg); // SETTINGS, PING acks and the like: the codec answered them
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        retire();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // the codec has sent its GOAWAY for a protocol error; resets and broken pipes need none
    }

    /** For tests. */
    State state() {
        return state;
    }
}
