package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Moves bytes from its channel to the peer, in one direction; a connection has one Relay on each side.
 * Back-pressure: when the peer cannot take more, this side stops reading until it can, so nothing is buffered
 * beyond the peer's write-buffer high-water mark.
 *
 * <p>Reads are asked for one batch at a time ({@code read()}), auto-read stays off: turning auto-read off and on
 * again costs two epoll_ctl calls on epoll and a receive cancelled and re-armed on io_uring.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final ProxiedConnection connection;
    private final boolean clientSide;

    Relay(Channel peer, ProxiedConnection connection, boolean clientSide) {
        this.peer = peer;
        this.connection = connection;
        this.clientSide = clientSide;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (clientSide && connection.movesBefore(msg)) {
            connection.moveToAnotherBackend(msg);
            return;
        }
        connection.read(clientSide, msg);
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            // Past the high-water mark: flush now rather than at channelReadComplete, which Netty's io_uring
            // transport (4.2.18) does not always deliver after a read (IoUringRelayResumeTest); bytes left
            // unflushed there keep the peer unwritable for good, and this side paused waiting for it. http mode's
            // Exchange.backendRead does the same (IoUringHttpResumeTest).
            peer.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.countTransferred();
        // one flush per read batch, not per buffer
        peer.flush();
        if (peer.isWritable()) {
            ctx.read();
        } // else the peer's relay asks for the next read when the peer has drained
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // our channel's outbound buffer drained: the peer, paused for it, may read again
        if (ctx.channel().isWritable()) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            connection.inputShutdown(peer);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxiedConnection.closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // resets and broken pipes are the normal end of many connections; closing both sides is all there is to do
        ctx.close();
    }
}
