package io.jcluster.agent.admin;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The admin endpoint ({@code admin=host:port}) on the parent, on Netty (one small event loop of its own):
 * <pre>
 *   GET  /status                 JSON (format=table: the table the CLI prints)
 *   GET  /metrics                Prometheus text format
 *   GET  /ready                  200 while at least one worker is in rotation and the cluster is not stopping, else
 *                                503 (for load balancers and Kubernetes' readinessProbe); no token needed
 *   GET  /live                   200 while the parent answers (Kubernetes' livenessProbe); no token needed
 *   POST /reload                 rolling reload; answers when done (200) or failed (500); 409 while another runs
 *   POST /scale?processes=N      start or drain workers until N serve
 *   POST /restart?worker=ID      replace one worker, its replacement ready first
 *   POST /cache/purge?path=/x    forget the cached responses of path /x (any host, any query); prefix=/x/: of every
 *                                path that starts with /x/; with a shared store, on every host
 * </pre>
 * With a token set, every request but the probes /ready and /live needs {@code Authorization: Bearer <token>};
 * otherwise 401. Requests from web pages and requests whose Host names another server are refused
 * ({@link AdminAccess}). A connection carries one request:
 * its head at most 8 KiB, its body at most 1 KiB, all of it within 10 s of the connect; at most 16 connections at
 * once. The endpoint runs on an event loop of its own, so nothing done to it slows the balancer.
 */
public final class AdminServer implements AutoCloseable {

    private static final Log.RateLimited TOO_MANY = new Log.RateLimited(5, TimeUnit.SECONDS);
    private static final Log.RateLimited REFUSED = new Log.RateLimited(5, TimeUnit.SECONDS);

    /** At most this many admin connections at once; more are closed at once (slowloris must not pile up). */
    static final int MAX_CONNECTIONS = 16;
    /** The whole request must arrive within this time of the connect, else the connection is closed. */
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** The request line and the header lines: 2 KiB + 6 KiB, the head at most 8 KiB (414 and 431 past that). */
    static final int MAX_REQUEST_LINE = 2 * 1024;
    static final int MAX_HEADERS = 6 * 1024;
    /** No endpoint takes a body; a client may still send a small one (413 past it). */
    static final int MAX_BODY = 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds now; throws the bind failure (e.g. the port is taken).
     *
     * @param token        the token every request must carry, or null
     * @param maxProcesses the most workers a scale may ask for (max-processes)
     */
    public static AdminServer start(InetSocketAddress address, String token, int maxProcesses, ClusterOperations cluster)
            throws IOException {
        return start(address, token, () -> maxProcesses, cluster);
    }

    /** The same, with max-processes as it is at each request (a SIGHUP may change it). */
    public static AdminServer start(InetSocketAddress address, String token, IntSupplier maxProcesses,
                                    ClusterOperations cluster)
            throws IOException {
        AdminAccess access = AdminAccess.of(address, token);
        return bind(address, () -> new AdminHandler(access, maxProcesses, cluster, null));
    }

    /**
     * The standalone balancer's endpoint ({@link BalancerAdmin}): the same access rules and limits. Binds now;
     * throws the bind failure.
     *
     * @param token the token every request must carry, or null
     */
    public static AdminServer start(InetSocketAddress address, String token, BalancerOperations balancer)
            throws IOException {
        AdminAccess access = AdminAccess.of(address, token);
        BalancerAdmin endpoints = new BalancerAdmin(balancer, token != null);
        return bind(address, () -> new AdminHandler(access, () -> 0, null, endpoints));
    }

    private static AdminServer bind(InetSocketAddress address, Supplier<AdminHandler> handlers) throws IOException {
        EventLoopGroup group = CappedConnections.eventLoop("jcluster-admin");
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new CappedConnections(MAX_CONNECTIONS, () -> TOO_MANY.info("admin endpoint: "
                        + MAX_CONNECTIONS + " connections are open already; closed another"),
                        client -> client.pipeline().addLast(clientHandlers(handlers.get()))))
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Throwable cause = bound.cause();
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause.getMessage(), cause);
        }
        return new AdminServer(group, bound.channel());
    }

    private static ChannelHandler[] clientHandlers(AdminHandler handler) {
        return new ChannelHandler[] {new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_BODY), new BoundedBody(),
            handler};
    }

    /** What one admin connection's pipeline holds, for a test on an EmbeddedChannel (the request deadline's). */
    static ChannelHandler[] clientHandlers(InetSocketAddress address, String token, ClusterOperations cluster) {
        return clientHandlers(new AdminHandler(AdminAccess.of(address, token), () -> 1, cluster, null));
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Aggregates a request's body of at most {@link #MAX_BODY} bytes; past that, 413 and close. */
    private static final class BoundedBody extends HttpObjectAggregator {

        BoundedBody() {
            super(MAX_BODY);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // Netty's own answer keeps a keep-alive connection open to skip the body: here it would only be read
            ctx.channel().config().setAutoRead(false);
            AdminHandler.send(ctx, AdminHandler.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "a request body may have at most " + MAX_BODY + " bytes (no endpoint takes one)\n"));
        }
    }

    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        /** Answered without the token (see {@link AdminAccess#check(HttpVersion, io.netty.handler.codec.http.HttpHeaders, boolean)}). */
        private static final java.util.Set<String> PROBES = java.util.Set.of("/ready", "/live");

        private final AdminAccess access;
        private final IntSupplier maxProcesses;
        private final ClusterOperations cluster;
        /** The standalone balancer's endpoints instead of the cluster's; null in the agent. */
        private final BalancerAdmin balancer;
        private ScheduledFuture<?> requestTimeout;
        /** Set at the first request: pipelined ones after it, decoded from the same read, are dropped. */
        private boolean answering;

        AdminHandler(AdminAccess access, IntSupplier maxProcesses, ClusterOperations cluster,
                     BalancerAdmin balancer) {
            this.access = access;
            this.maxProcesses = maxProcesses;
            this.cluster = cluster;
            this.balancer = balancer;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // one deadline for the whole request, not an idle timer: a client trickling a byte now and then
            // (slowloris) is closed as surely as a silent one
            Runnable close = ctx::close;
            requestTimeout = ctx.executor().schedule(close, REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            requestTimeout.cancel(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            // one request per connection (each answer closes it): whatever follows is not read
            if (answering) {
                return;
            }
            answering = true;
            requestTimeout.cancel(false);
            ctx.channel().config().setAutoRead(false);
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    send(ctx, text(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                            "the request line is longer than " + MAX_REQUEST_LINE + " bytes\n"));
                } else if (cause instanceof TooLongHttpHeaderException) {
                    send(ctx, text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "the request headers are longer than " + MAX_HEADERS + " bytes\n"));
                } else {
                    send(ctx, text(HttpResponseStatus.BAD_REQUEST, "malformed request\n"));
                }
                return;
            }
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            String path = query.path();
            boolean probe = request.method().equals(HttpMethod.GET) && PROBES.contains(path);
            AdminAccess.Refusal refusal = access.check(request.protocolVersion(), request.headers(), !probe);
            if (refusal != null) {
                if (refusal.status().code() != HttpResponseStatus.UNAUTHORIZED.code()) {
                    REFUSED.info("admin endpoint: " + request.method() + " from " + ctx.channel().remoteAddress()
                            + " answered " + refusal.status().code() + ": " + refusal.message());
                }
                FullHttpResponse response = text(refusal.status(), refusal.message() + "\n");
                if (refusal.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
                    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"jcluster\"");
                }
                send(ctx, response);
                return;
            }
            if (balancer != null) {
                answerBalancer(ctx, request.method(), query);
                return;
            }
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
                    case "/ready" -> {
                        if (expect(ctx, request, HttpMethod.GET)) {
                            ClusterOperations.Readiness readiness = cluster.readiness();
                            send(ctx, text(readiness.ready() ? HttpResponseStatus.OK
                                    : HttpResponseStatus.SERVICE_UNAVAILABLE, readiness.message() + "\n"));
                        }
                    }
                    case "/live" -> {
                        if (expect(ctx, request, HttpMethod.GET)) {
                            send(ctx, text(HttpResponseStatus.OK, "live\n"));
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
                            } else if (processes > maxProcesses.getAsInt()) {
                                send(ctx, text(HttpResponseStatus.BAD_REQUEST, "processes=" + processes
                                        + ": more than max-processes=" + maxProcesses.getAsInt() + ", the most"
                                        + " workers this cluster may run; start it with a higher max-processes to"
                                        + " run more\n"));
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
                    case "/cache/purge" -> {
                        if (expect(ctx, request, HttpMethod.POST)) {
                            purge(ctx, query);
                        }
                    }
                    default -> send(ctx, text(HttpResponseStatus.NOT_FOUND,
                            "no such endpoint: " + path + " (GET /status, GET /metrics, GET /ready, GET /live,"
                                    + " POST /reload,"
                                    + " POST /scale?processes=N, POST /restart?worker=ID, POST /cache/purge?path=/x)\n"));
                }
            } catch (RuntimeException e) {
                Log.error("admin endpoint: " + request.method() + " " + path + " failed", e);
                send(ctx, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "failed: " + Log.describe(e) + "\n"));
            }
        }

        private void answerBalancer(ChannelHandlerContext ctx, HttpMethod method, QueryStringDecoder query) {
            CompletableFuture<AdminAnswer> answer;
            try {
                answer = balancer.answer(method, query);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((done, failure) -> {
                if (failure != null) {
                    Log.error("admin endpoint: " + method + " " + query.path() + " failed", failure);
                    send(ctx, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "failed: " + Log.describe(failure) + "\n"));
                } else {
                    send(ctx, done.response());
                }
            });
        }

        private void purge(ChannelHandlerContext ctx, QueryStringDecoder query) {
            send(ctx, CachePurgeRequest.answer(query, cluster::purgeCache,
                    "jcluster in http mode with cache=SIZE (e.g. cache=64m)").response());
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
                } else {
                    send(ctx, text(statusOf(outcome.status()), outcome.message() + "\n"));
                }
            });
        }

        private static HttpResponseStatus statusOf(ClusterOperations.Result.Status status) {
            return switch (status) {
                case DONE -> HttpResponseStatus.OK;
                case BUSY -> HttpResponseStatus.CONFLICT;
                case FAILED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            };
        }

        private static String parameter(QueryStringDecoder query, String name) {
            return CachePurgeRequest.parameter(query, name);
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
