package io.jcluster.agent.balancer;

import io.jcluster.agent.log.Log;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sits on a new client connection until its backend connection is up, then hands both over to {@link Relay}s.
 * The backend connection is opened on the client's own event loop: no thread hand-off on the data path.
 * A backend that refuses is dropped from rotation and the next one is tried before the client sees anything.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Log.RateLimited NO_BACKEND = new Log.RateLimited(5, TimeUnit.SECONDS);

    private final Upstream upstream;
    /** tcp-idle-timeout in nanoseconds, 0 when off; watched from the start, connecting included. */
    private final long idleTimeoutNanos;
    private final RequestStart requests;
    private ProxiedConnection connection;
    /** Backends already tried for this connection; allocated only when a connect fails. */
    private List<Backend> failed;
    /**
     * What the client sent before the backend connection was up. Reads are off until then, but a transport may
     * still deliver what it already had (native epoll does, together with an early half-close): at most one
     * read batch, kept here and passed on once connected.
     */
    private List<Object> early;
    private boolean clientInputShutdown;
    /** Set when taking over a connection whose backend was let go: the next bytes from the client pick a backend. */
    private boolean waitingForRequest;

    FrontendHandler(Upstream upstream, long idleTimeoutNanos, RequestStart requests) {
        this.upstream = upstream;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.requests = requests;
    }

    /**
     * For a client connection whose backend connection was let go between requests (its worker is draining): the
     * client's next bytes open a backend connection to a worker in rotation, as for a new connection.
     */
    static FrontendHandler resuming(ProxiedConnection connection) {
        FrontendHandler handler = new FrontendHandler(connection.upstream, 0, connection.requests); // watched already
        handler.connection = connection;
        handler.waitingForRequest = true;
        return handler;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // added at accept time (before channelActive), after waiting for a connection slot, or (resuming) to a
        // connection whose draining worker was let go
        if (ctx.channel().isActive() && connection == null) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connection == null) {
            start(ctx);
        }
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        connection = new ProxiedConnection(ctx.channel(), upstream, requests);
        ctx.channel().attr(ClientConnection.KEY).set(connection);
        if (idleTimeoutNanos > 0) {
            IdleTimeout.watch(connection, idleTimeoutNanos);
        }
        connectBackend(ctx);
    }

    private void connectBackend(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        Backend[] candidates = upstream.backendsExcept(failed);
        if (candidates.length == 0) {
            upstream.noBackendAvailable();
            NO_BACKEND.info("no worker is serving " + upstream.describe() + " right now; closed a connection");
            client.close();
            return;
        }
        Backend backend = upstream.strategy().pick(candidates);
        BackendLease lease = new BackendLease(backend);
        ChannelFuture connect = upstream.connect(client, backend);
        Channel backendChannel = connect.channel();
        backendChannel.closeFuture().addListener(lease);
        connect.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                connection.lease = lease;
                relay(ctx, backendChannel);
            } else if (client.isActive()) {
                backendFailed(ctx, backend, done.cause());
            }
        });
    }

    private void backendFailed(ChannelHandlerContext ctx, Backend backend, Throwable cause) {
        if (failed == null) {
            failed = new ArrayList<>(2);
        }
        failed.add(backend);
        upstream.connectFailed(backend, cause);
        connectBackend(ctx);
    }

    private void relay(ChannelHandlerContext ctx, Channel backendChannel) {
        Channel client = ctx.channel();
        if (!client.isActive()) {
            backendChannel.close();
            return;
        }
        connection.backend = backendChannel;
        backendChannel.pipeline().replace(Listener.UNTIL_CONNECTED, "relay", new Relay(client, connection, false));
        ctx.pipeline().replace(this, "relay", new Relay(backendChannel, connection, true));
        if (early != null) {
            for (Object msg : early) {
                connection.read(true, msg);
                backendChannel.write(msg, backendChannel.voidPromise());
            }
            backendChannel.flush();
            connection.countTransferred();
            early = null;
        }
        backendChannel.read(); // the relays ask for each next read themselves (see Relay)
        if (clientInputShutdown) {
            connection.inputShutdown(backendChannel);
        } else {
            client.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (early == null) {
            early = new ArrayList<>(2);
        }
        early.add(msg);
        if (waitingForRequest) {
            waitingForRequest = false;
            connectBackend(ctx); // no read is asked for until the new backend connection is up
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            if (waitingForRequest) {
                ctx.close(); // the client is done, between requests: nothing is left to relay
                return;
            }
            clientInputShutdown = true;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the client left before its backend connection was up; the connect callback closes the backend
        releaseEarly();
    }

    private void releaseEarly() {
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        releaseEarly();
        ctx.close();
    }
}
