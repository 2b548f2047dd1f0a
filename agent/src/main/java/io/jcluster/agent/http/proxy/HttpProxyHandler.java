package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.ClientConnection;
import io.jcluster.agent.balancer.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection in http mode: turns the channel's events into calls on the connection's {@link Exchange},
 * which holds the request in progress. Each request goes to a worker of its own, over a pooled keep-alive
 * connection, with its body streamed under back-pressure both ways.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements ClientConnection {

    static final String PROXY = "proxy";

    private final HttpSettings settings;
    private final Upstream upstream;
    /** The pool to use, or null: the one {@link BackendConnectionPool#forClient} gives. */
    private final BackendConnectionPool givenPool;
    private final UpgradeHandOff.Tunnels tunnels;
    private Exchange exchange;

    HttpProxyHandler(HttpSettings settings, Upstream upstream) {
        this(settings, upstream, null, UpgradeHandOff.BYTE_RELAY);
    }

    /** @param pool the pool to use (tests), or null: {@link BackendConnectionPool#forClient} */
    HttpProxyHandler(HttpSettings settings, Upstream upstream, BackendConnectionPool pool,
                     UpgradeHandOff.Tunnels tunnels) {
        this.settings = settings;
        this.upstream = upstream;
        this.givenPool = pool;
        this.tunnels = tunnels;
    }

    /** The forwarding headers a client connection on {@code channel} gets. */
    static ForwardedHeaders forwardedHeaders(Channel channel, HttpSettings settings, Upstream upstream) {
        SocketAddress remote = channel.remoteAddress();
        InetAddress client = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress()
                : InetAddress.getLoopbackAddress();
        return new ForwardedHeaders(client, settings.secure(), upstream.port(),
                settings.trustedProxies().contains(client));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(ClientConnection.KEY).set(this);
        ForwardedHeaders forwarded = forwardedHeaders(ctx.channel(), settings, upstream);
        BackendConnectionPool pool = givenPool != null ? givenPool
                : BackendConnectionPool.forClient(settings.poolPerClient());
        exchange = new Exchange(new ChannelClient(ctx), settings, upstream, pool, forwarded,
                WorkerSelection.of(settings.stickiness(), upstream), tunnels);
        pool.clientOpened();
        exchange.awaitRequest(System.nanoTime());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        exchange.removed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            exchange.clientRead((ByteBuf) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.clientReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.clientWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            exchange.clientInputShutdown();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.clientClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // resets, broken pipes, TLS handshake failures: nothing to answer
        ctx.close();
    }

    @Override
    public void closeIfIdle() {
        exchange.closeIfIdle();
    }

    /** The exchange of this connection, for tests. */
    Exchange exchange() {
        return exchange;
    }
}
