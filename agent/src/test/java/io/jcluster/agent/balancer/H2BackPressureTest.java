package io.jcluster.agent.balancer;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options.ProxyProtocol;
import io.jcluster.agent.config.Options.TransportChoice;
import io.jcluster.agent.http.proxy.HttpFrontend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 back-pressure, over real loopback sockets through the real listener and http proxy (h2c with prior
 * knowledge): on one client connection, stream 1's client never returns flow-control credit for its 64 MiB response
 * (it gets the initial 64 KiB window and no more), stream 3's client reads its 8 MiB at once. Stream 3 must
 * complete, and the worker answering stream 1 must be stopped: the parent stops reading its connection once the
 * stream's window and the parent's buffers are full, so what the worker manages to write stays bounded (socket
 * buffers plus the parent's high-water marks), far below the 64 MiB, and stops growing.
 */
class H2BackPressureTest {

    private static final long SLOW_TOTAL = 64L * 1024 * 1024;
    private static final long FAST_TOTAL = 8L * 1024 * 1024;
    /** Kernel socket buffers on loopback (autotuned up to a few MiB each way) and the parent's own bounds. */
    private static final long BOUND = 24L * 1024 * 1024;

    private final AtomicLong slowWritten = new AtomicLong();

    @Test
    void aStreamWhoseClientDoesNotReadStopsItsWorkerWhileAnotherStreamFlows() throws Exception {
        Transport transport = Transport.choose(TransportChoice.NIO);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try (ServerSocket worker = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread workerThread = new Thread(() -> serve(worker), "h2-backpressure-worker");
            workerThread.setDaemon(true);
            workerThread.start();
            Listener listener = Listener.open(new InetSocketAddress("127.0.0.1", freePort()),
                    List.of(new Backend(0, (InetSocketAddress) worker.getLocalSocketAddress())),
                    SelectionStrategy.roundRobin(), group, transport, connections,
                    HttpFrontend.of(OptionParser.parse("mode=http,http2=on"), false), ConnectionLimit.NONE, null,
                    null, ProxyProtocol.OFF);
            Client client = new Client();
            Channel channel = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), client);
                        }
                    })
                    .connect(new InetSocketAddress("127.0.0.1", listener.port())).sync().channel();
            try {
                channel.eventLoop().submit(client::start).sync();
                long startedAt = System.nanoTime();
                long fast = client.fastDone.get(30, TimeUnit.SECONDS);
                System.out.println("[H2BackPressureTest] stream 3 done in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt) + " ms");
                assertEquals(FAST_TOTAL, fast, "stream 3 got its whole response while stream 1 was stuck");
                // the slow stream's worker: stopped, not read into the parent's memory
                long before;
                long after = slowWritten.get();
                int stable = 0;
                for (int i = 0; i < 60 && stable < 3; i++) {
                    Thread.sleep(250);
                    before = after;
                    after = slowWritten.get();
                    stable = after == before ? stable + 1 : 0;
                }
                System.out.println("[H2BackPressureTest] worker of stream 1 wrote " + after + " bytes, client got "
                        + client.slowReceived.get());
                assertTrue(stable >= 3, "the worker of stream 1 kept writing: " + after + " bytes");
                assertTrue(after < BOUND, "the worker of stream 1 wrote " + after + " bytes of " + SLOW_TOTAL
                        + ": the parent read past the stream's window (unbounded buffering)");
                assertTrue(client.slowReceived.get() <= 65_535, "stream 1 got no more than its window: "
                        + client.slowReceived.get());
                assertTrue(channel.isActive(), "the client connection stayed up");

                // the client goes away: the parent's connection ends at once, stream 1 (stuck) with it
                long closing = System.nanoTime();
                channel.close().sync();
                for (int i = 0; i < 100 && !connections.isEmpty(); i++) {
                    Thread.sleep(50);
                }
                System.out.println("[H2BackPressureTest] the parent closed its side "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing) + " ms after the client");
                assertTrue(connections.isEmpty(), "the client closed: the parent's connection (and stream 1's"
                        + " worker connection) must not wait shutdown-timeout for a window that never opens");
            } finally {
                listener.stopAccepting();
                connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The worker: answers GET /slow with 64 MiB and GET /fast with 8 MiB, each connection on a thread of its own. */
    private void serve(ServerSocket worker) {
        while (!worker.isClosed()) {
            Socket socket;
            try {
                socket = worker.accept();
            } catch (IOException e) {
                return;
            }
            Thread thread = new Thread(() -> answer(socket), "h2-backpressure-worker-conn");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            boolean slow = head.toString().startsWith("GET /slow ");
            long total = slow ? SLOW_TOTAL : FAST_TOTAL;
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + total + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[16 * 1024];
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk); // blocks once the parent stops reading and the socket buffers are full
                if (slow) {
                    slowWritten.addAndGet(chunk.length);
                }
            }
            out.flush();
            in.read(); // keep the connection until the parent closes it
        } catch (IOException e) {
            // the parent closed the connection: the test's checks tell
        }
    }

    /** Opens stream 1 (GET /slow, never returns credit) and stream 3 (GET /fast, returns credit for all it gets). */
    private static final class Client extends Http2ChannelDuplexHandler {
        final AtomicLong slowReceived = new AtomicLong();
        final CompletableFuture<Long> fastDone = new CompletableFuture<>();
        private ChannelHandlerContext ctx;
        private Http2FrameStream slow;
        private Http2FrameStream fast;
        private long fastReceived;

        @Override
        protected void handlerAdded0(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void start() {
            // a large connection window: only the stream windows limit what the parent may send
            ctx.write(new DefaultHttp2WindowUpdateFrame(1 << 30));
            slow = newStream();
            ctx.write(new DefaultHttp2HeadersFrame(get("/slow"), true).stream(slow));
            fast = newStream();
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(get("/fast"), true).stream(fast));
        }

        private static DefaultHttp2Headers get(String path) {
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method("GET").scheme("http").path(path).authority("example.com");
            return headers;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2DataFrame data) {
                    int bytes = data.content().readableBytes();
                    if (data.stream().id() == slow.id()) {
                        slowReceived.addAndGet(bytes); // no WINDOW_UPDATE: this client does not read
                    } else if (data.stream().id() == fast.id()) {
                        fastReceived += bytes;
                        if (data.initialFlowControlledBytes() > 0) {
                            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(data.initialFlowControlledBytes())
                                    .stream(data.stream()));
                        }
                        if (data.isEndStream()) {
                            fastDone.complete(fastReceived);
                        }
                    }
                } else if (msg instanceof Http2HeadersFrame headers && headers.stream() == fast
                        && !headers.headers().status().toString().equals("200")) {
                    fastDone.completeExceptionally(new AssertionError("stream 3: " + headers.headers()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fastDone.completeExceptionally(cause);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
