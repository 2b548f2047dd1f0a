package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;

/** An HTTP/1.x client connection as the exchange sees it: its proxy handler's context, one per connection. */
final class ChannelClient implements ClientSide {

    private final ChannelHandlerContext ctx;

    ChannelClient(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public void read() {
        ctx.read();
    }

    @Override
    public void write(ByteBuf data) {
        ctx.write(data, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public void endAfter(ByteBuf last) {
        LingeringClose.after(ctx.writeAndFlush(last));
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    @Override
    public boolean http2() {
        return false;
    }

    /** Never asked: an HTTP/1.1 client gets the head's bytes. */
    @Override
    public void responseHead(MessageHead head, BodyFraming body, String setCookie, CacheStatus cacheStatus) {
        throw new UnsupportedOperationException("an HTTP/1.1 client takes the head's bytes");
    }

    @Override
    public void handOff() {
        ctx.pipeline().remove(ctx.handler());
    }
}
