package io.jcluster.agent.http.grpc;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.x connection to a gRPC listener (no HTTP/2 preface; with TLS, no ALPN h2): gRPC needs HTTP/2, so it gets
 * one answer that says so, and is closed.
 */
final class Http1Refusal extends ChannelInboundHandlerAdapter {

    private static final String TEXT = "this port speaks gRPC, which needs HTTP/2 (h2c with prior knowledge, or ALPN h2"
            + " over TLS)\n";
    private static final byte[] ANSWER = ("HTTP/1.1 505 HTTP Version Not Supported\r\ncontent-type: text/plain\r\n"
            + "content-length: " + TEXT.length() + "\r\nconnection: close\r\n\r\n" + TEXT)
            .getBytes(StandardCharsets.US_ASCII);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
