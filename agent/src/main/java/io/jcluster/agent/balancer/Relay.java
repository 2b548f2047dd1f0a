package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.uring.IoUringSocketChannel;

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
    /**
     * Netty's io_uring transport (4.2.18) can fire channelRead with no channelReadComplete after it: data that a
     * multishot receive delivered while its cancel was on the way ends with the ECANCELED completion, which fires
     * none (IoUringRelayResumeTest). Bytes waiting for channelReadComplete would then wait for the sender's next
     * read; a client that waits for the answer to its request sends none. So on io_uring each read is flushed as it
     * arrives (small messages come one read per batch there, so this costs no extra send); on epoll and NIO, which
     * always end a batch with channelReadComplete, once per batch.
     */
    private boolean flushEachRead;

    Relay(Channel peer, ProxiedConnection connection, boolean clientSide) {
        this.peer = peer;
        this.connection = connection;
        this.clientSide = clientSide;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        flushEachRead = ctx.channel() instanceof IoUringSocketChannel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (clientSide && connection.movesBefore(msg)) {
            connection.moveToAnotherBackend(msg);
            return;
        }
        connection.read(clientSide, msg);
        peer.write(msg, peer.voidPromise());
        if (flushEachRead || !peer.isWritable()) {
            // past the high-water mark a flush cannot wait for the batch's end either: this side stops reading
            // until the peer drains, and the peer drains only what was flushed
            peer.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.countTransferred();
        if (!flushEachRead) {
            peer.flush(); // one flush per read batch, not per buffer
        }
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
