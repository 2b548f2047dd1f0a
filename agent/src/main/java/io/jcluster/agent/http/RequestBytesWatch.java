package io.jcluster.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP decoder and tells the proxy when a client's bytes arrive: the header timeout runs from
 * the first byte of a request, which the decoder does not report until the whole header block is in.
 */
final class RequestBytesWatch extends ChannelInboundHandlerAdapter {

    private final HttpProxyHandler proxy;

    RequestBytesWatch(HttpProxyHandler proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            proxy.bytesArrived();
        }
        ctx.fireChannelRead(msg);
    }
}
