package io.jcluster.agent.admin;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;

import java.io.IOException;
import java.net.InetSocketAddress;
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
        return bind(address, () -> new AdminHandler(access, new ClusterAdmin(cluster, maxProcesses)));
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
        return bind(address, () -> new AdminHandler(access, endpoints));
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
        return clientHandlers(new AdminHandler(AdminAccess.of(address, token), new ClusterAdmin(cluster, () -> 1)));
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
            AdminHandler.send(ctx, AdminAnswer.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "a request body may have at most " + MAX_BODY + " bytes (no endpoint takes one)\n").response());
        }
    }
}
