package io.jcluster.agent.balancer;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.net.ConnectException;
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
    /** Stands in the backend pipeline until {@link #relay} adds the real handler; reads are off until then. */
    private static final ChannelHandler UNTIL_CONNECTED = new Placeholder();

    private final Listener listener;
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

    FrontendHandler(Listener listener) {
        this.listener = listener;
    }

    /**
     * For a client connection whose backend connection was let go between requests (its worker is draining): the
     * client's next bytes open a backend connection to a worker in rotation, as for a new connection.
     */
    static FrontendHandler resuming(ProxiedConnection connection) {
        FrontendHandler handler = new FrontendHandler(connection.listener);
        handler.connection = connection;
        handler.waitingForRequest = true;
        return handler;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = new ProxiedConnection(ctx.channel(), listener);
        ctx.channel().attr(ProxiedConnection.KEY).set(connection);
        listener.stats().accepted();
        ctx.channel().closeFuture().addListener(closed -> listener.stats().closed());
        connectBackend(ctx);
    }

    private void connectBackend(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        Backend[] candidates = candidates();
        if (candidates.length == 0) {
            listener.stats().refused();
            NO_BACKEND.info("no worker is serving " + listener.describe() + " right now; closed a connection");
            client.close();
            return;
        }
        Backend backend = listener.strategy().pick(candidates);
        BackendLease lease = new BackendLease(backend);
        ChannelFuture connect = listener.backendBootstrap(client.eventLoop()).connect(backend.address());
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

    private Backend[] candidates() {
        Backend[] all = listener.backends().snapshot();
        if (failed == null) {
            return all;
        }
        List<Backend> remaining = new ArrayList<>(all.length);
        for (Backend backend : all) {
            if (!failed.contains(backend)) {
                remaining.add(backend);
            }
        }
        return remaining.toArray(new Backend[0]);
    }

    private void backendFailed(ChannelHandlerContext ctx, Backend backend, Throwable cause) {
        if (failed == null) {
            failed = new ArrayList<>(2);
        }
        failed.add(backend);
        // refused: nothing listens there any more, so it leaves rotation until its worker binds again; a timeout
        // only means busy, and this connection alone moves on
        boolean refused = cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
        if (refused && listener.backends().removeIf(b -> b == backend)) {
            Log.info(listener.describe() + ": worker " + backend.owner() + " refused a connection on "
                    + Listener.describe(backend.address()) + "; taken out of rotation");
        }
        connectBackend(ctx);
    }

    private void relay(ChannelHandlerContext ctx, Channel backendChannel) {
        Channel client = ctx.channel();
        if (!client.isActive()) {
            backendChannel.close();
            return;
        }
        connection.backend = backendChannel;
        backendChannel.pipeline().replace(UNTIL_CONNECTED, "relay", new Relay(client, connection, false));
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
        backendChannel.config().setAutoRead(true);
        if (clientInputShutdown) {
            connection.inputShutdown(backendChannel);
        } else {
            client.config().setAutoRead(true);
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
            ctx.channel().config().setAutoRead(false);
            connectBackend(ctx);
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

    @ChannelHandler.Sharable
    private static final class Placeholder extends ChannelInboundHandlerAdapter {
    }

    /** How backend connections are made; {@link Listener} keeps one copy per event loop. */
    static Bootstrap backendBootstrap(Transport transport) {
        return new Bootstrap()
                .handler(UNTIL_CONNECTED)
                .channelFactory(transport.clientChannels)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listener.WATER_MARK);
    }
}
