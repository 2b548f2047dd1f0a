package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.SelectionStrategy;
import io.jcluster.agent.balancer.TestUpstreams;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.http.h2.H2Limits;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real sockets on 127.0.0.1 and Netty's HTTP/2 codec on every side: fake gRPC workers (h2c servers), the frontend on
 * a listening socket of its own with an {@link Upstream} over those workers (round-robin), and HTTP/2 clients.
 */
final class GrpcRig implements AutoCloseable {

    /** What a fake worker does with a call. */
    enum Behaviour {
        /** Headers, each DATA echoed, trailers (grpc-status 0, x-trailer) once the request ends. */
        ECHO,
        /** Headers, then nothing until released (or the stream is reset). */
        HANG,
        /** Headers and 1 MiB of DATA in 16 KiB frames, then trailers. */
        BIG,
        /** RST_STREAM(REFUSED_STREAM) at once, as a server at its stream limit does: the call was not processed. */
        REFUSE,
        /** Takes the call and sends nothing. */
        SILENT,
        /**
         * Calls to a path ending in "/Stall": headers, then the worker stops reading the request (its stream window
         * is not given back); other calls ECHO. The connection's window is 1 MiB larger, as grpc-java's server makes
         * it, so the stalled stream's window alone holds back only that stream.
         */
        STALL_UPLOAD
    }

    static final int BIG_BYTES = 1 << 20;

    final EventLoopGroup frontendLoops;
    final EventLoopGroup others = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final List<FakeWorker> workers = new ArrayList<>();
    final RigUpstream upstream = new RigUpstream();
    final Channel listener;
    final GrpcFrontend frontend;
    /** The access log's lines (every rig logs its calls, so every test runs the logging too). */
    final java.io.ByteArrayOutputStream accessLines = new java.io.ByteArrayOutputStream();
    final io.jcluster.agent.log.AccessLog accessLog = io.jcluster.agent.log.AccessLog.to(accessLines, false, 64);

    GrpcRig(int frontendThreads, H2Limits limits, Duration sendTimeout, TrustedProxies trusted)
            throws InterruptedException {
        frontendLoops = new MultiThreadIoEventLoopGroup(frontendThreads, NioIoHandler.newFactory());
        frontend = GrpcFrontend.plain(limits, sendTimeout, trusted, accessLog);
        listener = new ServerBootstrap().group(frontendLoops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        frontend.serve(client, upstream);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    GrpcRig(int frontendThreads, H2Limits limits, TrustedProxies trusted) throws InterruptedException {
        this(frontendThreads, limits, Duration.ofSeconds(60), trusted);
    }

    GrpcRig(int frontendThreads) throws InterruptedException {
        this(frontendThreads, limits(100), TrustedProxies.NONE);
    }

    static H2Limits limits(int maxStreams) {
        return new H2Limits(maxStreams, 16 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    FakeWorker worker(Behaviour behaviour) throws InterruptedException {
        FakeWorker worker = new FakeWorker(workers.size(), behaviour);
        workers.add(worker);
        upstream.backends.add(worker.backend);
        return worker;
    }

    Client client() throws InterruptedException {
        return new Client(((InetSocketAddress) listener.localAddress()).getPort());
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        for (FakeWorker worker : workers) {
            worker.kill();
        }
        frontendLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        others.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        accessLog.close();
    }

    static Http2Headers call(String path) {
        return new DefaultHttp2Headers().method("POST").scheme("http").path(path).authority("example.com:50051")
                .set("content-type", "application/grpc").set("te", "trailers");
    }

    static ByteBuf text(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** The listener side: the workers in rotation (round-robin), connects on the caller's loop. */
    final class RigUpstream implements Upstream {
        final List<Backend> backends = new CopyOnWriteArrayList<>();
        final SelectionStrategy strategy = SelectionStrategy.roundRobin();
        final Queue<Backend> connectFailures = new ConcurrentLinkedQueue<>();
        final AtomicInteger noBackend = new AtomicInteger();

        @Override
        public Backend[] backends() {
            return backends.toArray(new Backend[0]);
        }

        @Override
        public SelectionStrategy strategy() {
            return strategy;
        }

        @Override
        public Bootstrap connector(EventLoop loop) {
            return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .handler(TestUpstreams.untilConnected()).option(ChannelOption.AUTO_READ, false)
                    // as the listener's connector (Listener.backendBootstrap), which the tcp relay needs
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }

        @Override
        public ChannelFuture connect(Channel client, Backend backend) {
            throw new AssertionError("grpc mode connects shared connections only");
        }

        @Override
        public void connectFailed(Backend backend, Throwable cause) {
            connectFailures.add(backend);
            backends.remove(backend); // as the listener does with a refused connect
        }

        @Override
        public void noBackendAvailable() {
            noBackend.incrementAndGet();
        }

        @Override
        public void transferred(Backend backend, long fromClient, long toClient) {
        }

        @Override
        public int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public String describe() {
            return "127.0.0.1:" + port();
        }
    }

    /** A gRPC server's HTTP/2 side: records what it got, answers as its behaviour says. */
    final class FakeWorker {
        final int id;
        final Behaviour behaviour;
        final Channel server;
        final Backend backend;
        final List<Channel> accepted = new CopyOnWriteArrayList<>();
        final List<Http2Headers> requests = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> resets = new LinkedBlockingQueue<>();
        final List<Http2StreamChannel> streams = new CopyOnWriteArrayList<>();
        /** BIG: per request path, the response bytes the worker got onto the wire (its writes that completed). */
        final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        /** STALL_UPLOAD: per request path, the request bytes the worker read. */
        final Map<String, AtomicLong> received = new ConcurrentHashMap<>();

        FakeWorker(int id, Behaviour behaviour) throws InterruptedException {
            this.id = id;
            this.behaviour = behaviour;
            server = new ServerBootstrap().group(others).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel connection) {
                            accepted.add(connection);
                            connection.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            streams.add(stream);
                                            stream.pipeline().addLast(new WorkerCall());
                                        }
                                    }));
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            backend = new Backend(id, (InetSocketAddress) server.localAddress());
        }

        /**
         * As kill -9: the port closes, and every connection with it, with a bare FIN: the socket is closed under
         * the HTTP/2 codec, which would otherwise say GOAWAY first (a killed process says nothing).
         */
        void kill() {
            server.close().syncUninterruptibly();
            for (Channel channel : accepted) {
                channel.eventLoop().submit(() -> channel.unsafe().close(channel.voidPromise())).syncUninterruptibly();
                channel.closeFuture().syncUninterruptibly();
            }
        }

        /** Graceful stop of one connection: GOAWAY(NO_ERROR) with the last stream it took; streams in flight go on. */
        void goAway(Channel connection) {
            connection.eventLoop().execute(() -> connection.writeAndFlush(
                    new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(0)));
        }

        /** GOAWAY saying the worker took no stream above {@code lastStreamId}: those were not processed. */
        void goAway(Channel connection, int lastStreamId) {
            connection.eventLoop().execute(() -> {
                ChannelHandlerContext codec = connection.pipeline().context(Http2FrameCodec.class);
                ((Http2FrameCodec) codec.handler()).goAway(codec, lastStreamId, Http2Error.NO_ERROR.code(),
                        Unpooled.EMPTY_BUFFER, codec.newPromise());
                codec.flush();
            });
        }

        /** Ends the calls a HANG worker holds: trailers with grpc-status 0. */
        void release() {
            for (Http2StreamChannel stream : streams) {
                stream.eventLoop().execute(() -> {
                    if (stream.isActive()) {
                        stream.writeAndFlush(new DefaultHttp2HeadersFrame(
                                new DefaultHttp2Headers().set("grpc-status", "0"), true));
                    }
                });
            }
        }

        private final class WorkerCall extends ChannelInboundHandlerAdapter {
            /** STALL_UPLOAD: the request bytes this stalled call's worker read; null for other calls. */
            private AtomicLong stalled;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (behaviour == Behaviour.STALL_UPLOAD && stall(ctx, msg)) {
                        return;
                    }
                    if (msg instanceof Http2HeadersFrame headers && behaviour == Behaviour.SILENT) {
                        requests.add(headers.headers());
                    } else if (msg instanceof Http2HeadersFrame headers && behaviour == Behaviour.REFUSE) {
                        requests.add(headers.headers());
                        ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
                                Http2Error.REFUSED_STREAM));
                    } else if (msg instanceof Http2HeadersFrame headers) {
                        requests.add(headers.headers());
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                                .set("content-type", "application/grpc").set("x-worker", Integer.toString(id))));
                        if (behaviour == Behaviour.BIG) {
                            AtomicLong out = sent.computeIfAbsent(headers.headers().path().toString(),
                                    path -> new AtomicLong());
                            for (int bytes = 0; bytes < BIG_BYTES; bytes += 16 * 1024) {
                                ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[16 * 1024])))
                                        .addListener(written -> {
                                            if (written.isSuccess()) {
                                                out.addAndGet(16 * 1024);
                                            }
                                        });
                            }
                        }
                        if (headers.isEndStream()) {
                            end(ctx);
                        }
                        ctx.flush();
                    } else if (msg instanceof Http2DataFrame data) {
                        boolean echoes = behaviour == Behaviour.ECHO || behaviour == Behaviour.STALL_UPLOAD;
                        if (echoes && data.content().isReadable()) {
                            ctx.write(new DefaultHttp2DataFrame(data.content().retain()));
                        }
                        if (data.isEndStream()) {
                            end(ctx);
                        }
                        ctx.flush();
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            /** STALL_UPLOAD: whether {@code msg} was a stalled call's (counted, not answered). */
            private boolean stall(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame headers && headers.headers().path().toString().endsWith("/Stall")) {
                    stalled = new AtomicLong();
                    requests.add(headers.headers());
                    received.put(headers.headers().path().toString(), stalled);
                    ctx.channel().parent().writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame(
                            1 << 20)); // the connection's window, not the stream's
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                            .set("content-type", "application/grpc").set("x-worker", Integer.toString(id))));
                    ctx.channel().config().setAutoRead(false); // reads no more of the request
                    return true;
                }
                if (stalled != null && msg instanceof Http2DataFrame data) {
                    stalled.addAndGet(data.content().readableBytes());
                }
                return stalled != null;
            }

            private void end(ChannelHandlerContext ctx) {
                if (behaviour != Behaviour.HANG && behaviour != Behaviour.SILENT) {
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0")
                            .set("x-trailer", "t" + id), true));
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof Http2ResetFrame reset) {
                    resets.add("RST " + Http2Error.valueOf(reset.errorCode()));
                }
                ReferenceCountUtil.release(evt);
            }
        }
    }

    /** An HTTP/2 client connection to the frontend. */
    final class Client {
        final Channel channel;

        Client(int port) throws InterruptedException {
            channel = new Bootstrap().group(others).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }).connect("127.0.0.1", port).sync().channel();
        }

        /**
         * Raises the connection's receive window by {@code bytes} (as grpc-java's clients do), so that a call that
         * does not read holds back only its own stream, not the connection's other calls.
         */
        void raiseConnectionWindow(int bytes) {
            channel.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame(bytes))
                    .syncUninterruptibly();
        }

        /** Starts a call: its headers (and DATA, the last one ending the stream, if any). */
        Call start(Http2Headers headers, String... data) throws InterruptedException {
            return start(true, headers, data);
        }

        Call start(boolean reading, Http2Headers headers, String... data) throws InterruptedException {
            Call call = new Call(reading);
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(call).open().sync().getNow();
            call.stream = stream;
            stream.write(new DefaultHttp2HeadersFrame(headers, data.length == 0));
            for (int i = 0; i < data.length; i++) {
                stream.write(new DefaultHttp2DataFrame(text(data[i]), i == data.length - 1));
            }
            stream.flush();
            return call;
        }
    }

    /**
     * Starts a call that sends {@code bytes} of request in 16 KiB DATA frames (the last ends the stream), all written
     * at once; {@code sent} counts the bytes that got onto the wire (the writes that completed, which the client's
     * flow control holds back while the parent's window for the stream is used up).
     */
    static Call upload(Client client, Http2Headers headers, int bytes, AtomicLong sent) throws InterruptedException {
        Call call = new Call(true);
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(client.channel).handler(call).open().sync()
                .getNow();
        call.stream = stream;
        stream.eventLoop().execute(() -> {
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            for (int at = 0; at < bytes; at += 16 * 1024) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[16 * 1024]),
                        at + 16 * 1024 >= bytes)).addListener(written -> {
                            if (written.isSuccess()) {
                                sent.addAndGet(16 * 1024);
                            }
                        });
            }
            stream.flush();
        });
        return call;
    }

    /** One call as the client sees it: each frame as a line ("HEADERS ...", "DATA n", "TRAILERS ...", "RST ..."). */
    static final class Call extends ChannelInboundHandlerAdapter {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final StringBuilder body = new StringBuilder();
        final boolean reading;
        volatile long dataBytes;
        Http2StreamChannel stream;

        Call(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(reading);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    frames.add((headers.isEndStream() ? "TRAILERS " : "HEADERS ") + headers.headers());
                } else if (msg instanceof Http2DataFrame data) {
                    dataBytes += data.content().readableBytes();
                    if (data.content().readableBytes() < 1024) {
                        body.append(data.content().toString(StandardCharsets.UTF_8));
                    }
                    if (data.isEndStream()) {
                        frames.add("DATA-END");
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                frames.add("RST " + Http2Error.valueOf(reset.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        /** The next frame line, waiting up to 5 s. */
        String next() throws InterruptedException {
            String frame = frames.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 5 s; body so far: " + body);
            }
            return frame;
        }

        /** Frame lines until the trailers (or a reset), waiting up to 5 s for each. */
        List<String> untilEnd() throws InterruptedException {
            List<String> seen = new ArrayList<>();
            String frame;
            do {
                frame = next();
                seen.add(frame);
            } while (!frame.startsWith("TRAILERS") && !frame.startsWith("RST"));
            return seen;
        }
    }

    /** The access log's lines once there are {@code count} of them (at most 5 s). */
    List<String> accessLines(int count) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        List<String> lines;
        do {
            lines = accessLines.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < until);
        return lines;
    }
}
