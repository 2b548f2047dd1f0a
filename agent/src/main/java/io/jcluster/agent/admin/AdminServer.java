package io.jcluster.agent.admin;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The admin endpoint ({@code admin=host:port}) on the parent, on Netty (one small event loop of its own):
 * <pre>
 *   GET  /status                 JSON (format=table: the table the CLI prints)
 *   GET  /metrics                Prometheus text format
 *   POST /reload                 rolling reload; answers when done (200) or failed (500); 409 while another runs
 *   POST /scale?processes=N      start or drain workers until N serve
 *   POST /restart?worker=ID      replace one worker, its replacement ready first
 * </pre>
 * With admin-token set, every request needs {@code Authorization: Bearer <token>}; otherwise 401.
 */
public final class AdminServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds now; throws the bind failure (e.g. the port is taken). */
    public static AdminServer start(InetSocketAddress address, String token, ClusterOperations cluster) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, runnable -> {
            Thread thread = new Thread(runnable, "jcluster-admin");
            thread.setDaemon(true);
            return thread;
        }, NioIoHandler.newFactory());
        byte[] expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        client.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 * 1024),
                                new AdminHandler(expected, cluster));
                    }
                })
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Throwable cause = bound.cause();
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause.getMessage(), cause);
        }
        return new AdminServer(group, bound.channel());
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final byte[] expectedAuthorization;
        private final ClusterOperations cluster;

        AdminHandler(byte[] expectedAuthorization, ClusterOperations cluster) {
            this.expectedAuthorization = expectedAuthorization;
            this.cluster = cluster;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!authorized(request)) {
                FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, "text/plain; charset=utf-8",
                        "missing or wrong token: send 'Authorization: Bearer <admin-token>' (the CLI's --token)\n");
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"jcluster\"");
                send(ctx, response);
                return;
            }
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            String path = query.path();
            try {
                switch (path) {
                    case "/status" -> {
                        if (expect(ctx, request, HttpMethod.GET)) {
                            boolean table = "table".equals(parameter(query, "format"));
                            ClusterStatus status = cluster.status();
                            send(ctx, table ? text(HttpResponseStatus.OK, StatusReport.table(status))
                                    : response(HttpResponseStatus.OK, "application/json", StatusReport.json(status)));
                        }
                    }
                    case "/metrics" -> {
                        if (expect(ctx, request, HttpMethod.GET)) {
                            send(ctx, response(HttpResponseStatus.OK, MetricsText.CONTENT_TYPE,
                                    MetricsText.render(cluster.status())));
                        }
                    }
                    case "/reload" -> {
                        if (expect(ctx, request, HttpMethod.POST)) {
                            answerWhenDone(ctx, cluster.reload());
                        }
                    }
                    case "/scale" -> {
                        if (expect(ctx, request, HttpMethod.POST)) {
                            Integer processes = number(parameter(query, "processes"));
                            if (processes == null || processes < 1) {
                                send(ctx, text(HttpResponseStatus.BAD_REQUEST,
                                        "expected /scale?processes=N with N a positive integer\n"));
                            } else {
                                answerWhenDone(ctx, cluster.scale(processes));
                            }
                        }
                    }
                    case "/restart" -> {
                        if (expect(ctx, request, HttpMethod.POST)) {
                            Integer worker = number(parameter(query, "worker"));
                            if (worker == null || worker < 0) {
                                send(ctx, text(HttpResponseStatus.BAD_REQUEST,
                                        "expected /restart?worker=ID with ID a worker id (0, 1, ...)\n"));
                            } else {
                                answerWhenDone(ctx, cluster.restart(worker));
                            }
                        }
                    }
                    default -> send(ctx, text(HttpResponseStatus.NOT_FOUND,
                            "no such endpoint: " + path + " (GET /status, GET /metrics, POST /reload,"
                                    + " POST /scale?processes=N, POST /restart?worker=ID)\n"));
                }
            } catch (RuntimeException e) {
                Log.error("admin endpoint: " + request.method() + " " + path + " failed", e);
                send(ctx, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "failed: " + Log.describe(e) + "\n"));
            }
        }

        private boolean authorized(FullHttpRequest request) {
            if (expectedAuthorization == null) {
                return true;
            }
            String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
        }

        private static boolean expect(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method) {
            if (request.method().equals(method)) {
                return true;
            }
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "use " + method + " for " + new QueryStringDecoder(request.uri()).path() + "\n");
            response.headers().set(HttpHeaderNames.ALLOW, method.name());
            send(ctx, response);
            return false;
        }

        private static void answerWhenDone(ChannelHandlerContext ctx, CompletableFuture<ClusterOperations.Result> result) {
            result.whenComplete((outcome, failure) -> {
                if (failure != null) {
                    send(ctx, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "failed: " + Log.describe(failure) + "\n"));
                } else if (outcome.ok()) {
                    send(ctx, text(HttpResponseStatus.OK, outcome.message() + "\n"));
                } else {
                    send(ctx, text(outcome.busy() ? HttpResponseStatus.CONFLICT : HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            outcome.message() + "\n"));
                }
            });
        }

        private static String parameter(QueryStringDecoder query, String name) {
            List<String> values = query.parameters().get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        private static Integer number(String value) {
            if (value == null) {
                return null;
            }
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body) {
            return response(status, "text/plain; charset=utf-8", body);
        }

        private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return response;
        }

        private static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
