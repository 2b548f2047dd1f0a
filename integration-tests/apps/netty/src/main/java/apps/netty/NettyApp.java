package apps.netty;

import apps.recorder.RequestJournal;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty 4.2 HTTP server: {@code java -jar app.jar PORT [nio|epoll]}. GET / answers with this process's
 * pid (also in X-Pid); GET /slow?ms=N answers after N ms; GET /peer answers with the channel's remote address
 * and port. X-Peer names the client as the app sees it ("ip port").
 */
public final class NettyApp {

    private static final long PID = ProcessHandle.current().pid();

    private NettyApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        boolean epoll = args.length > 1 && args[1].equals("epoll");
        if (epoll) {
            Epoll.ensureAvailability();
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, io);
        RequestJournal journal = RequestJournal.fromSystemProperty();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(channel)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (journal != null) { // recording mode: every request is recorded (HttpDesyncIT)
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                    new RecordingHandler(journal));
                            return;
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new PidHandler());
                    }
                })
                .bind(port).sync().channel();
        System.out.println("netty app (" + (epoll ? "epoll" : "nio") + ", " + server.getClass().getSimpleName()
                + ") listening on " + server.localAddress());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS)));
        server.closeFuture().sync();
    }

    private static final class PidHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (uri.path().equals("/slow")) {
                List<String> ms = uri.parameters().get("ms");
                long delay = ms == null ? 1000 : Long.parseLong(ms.get(0));
                ctx.executor().schedule(() -> respond(ctx, "slow done by pid " + PID + "\n", keepAlive),
                        delay, TimeUnit.MILLISECONDS);
            } else if (uri.path().equals("/peer")) {
                respond(ctx, peer(ctx), keepAlive);
            } else {
                respond(ctx, "netty pid " + PID + "\n", keepAlive);
            }
        }

        // ---- the client's address as the app sees it (real client address tests) ----

        /** {@code peer <address> <port>}: the channel's remote address. */
        private static String peer(ChannelHandlerContext ctx) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            return "peer " + remote.getAddress().getHostAddress() + " " + remote.getPort() + "\n";
        }

        private static void respond(ChannelHandlerContext ctx, String body, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set("X-Pid", Long.toString(PID));
            if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer) { // what the app sees as its client
                response.headers().set("X-Peer", peer.getAddress().getHostAddress() + " " + peer.getPort());
            }
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
