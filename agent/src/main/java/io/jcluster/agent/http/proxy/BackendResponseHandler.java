package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of a backend connection's pipeline: passes the worker's response bytes to the client exchange the
 * connection is lent to, and takes the connection out of the pool when it closes while idle.
 */
final class BackendResponseHandler extends ChannelInboundHandlerAdapter {

    private final Backend backend;
    /** Where this connection waits while idle. */
    private final BackendConnectionPool pool;
    /** The exchange this connection serves now; null while it sits idle in the pool. */
    private WorkerEvents exchange;

    BackendResponseHandler(Backend backend, BackendConnectionPool pool) {
        this.backend = backend;
        this.pool = pool;
    }

    void lendTo(WorkerEvents exchange) {
        this.exchange = exchange;
    }

    void giveBack() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null && msg instanceof ByteBuf) {
            exchange.backendRead((ByteBuf) msg);
        } else {
            // a worker speaking on an idle connection is out of step with it: the connection cannot be trusted
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.backendReadComplete();
        }
        // reads are asked for one batch at a time (auto-read stays off, see balancer.Relay): while the client can
        // take more, or while idle in the pool (to notice the worker closing)
        WorkerEvents lentTo = exchange;
        if (lentTo == null || lentTo.clientWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.backendWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        // the worker finished sending: a response delimited by closing ends here (channelInactive tells the exchange)
        if (event instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        WorkerEvents lentTo = exchange;
        exchange = null;
        if (lentTo != null) {
            lentTo.backendClosed();
        } else {
            pool.remove(backend, ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // resets and broken pipes: closing is all there is to do; channelInactive tells the exchange
        ctx.close();
    }
}
