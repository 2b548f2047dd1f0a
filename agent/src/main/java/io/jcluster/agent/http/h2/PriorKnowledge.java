package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * h2c with prior knowledge on a plain listener (RFC 9113 section 3.3): a connection whose first bytes are the client
 * preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n} is HTTP/2, any other is HTTP/1.x. The bytes read to tell stay in
 * the pipeline for whichever protocol handler follows. No HTTP/1.1 {@code Upgrade: h2c} (RFC 9113 removed it).
 */
public final class PriorKnowledge extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Protocols protocols;
    private final Duration firstBytesTimeout;
    private ScheduledFuture<?> timeout;

    /** @param firstBytesTimeout a connection that sends too few bytes to tell within this is closed */
    public PriorKnowledge(Protocols protocols, Duration firstBytesTimeout) {
        this.protocols = protocols;
        this.firstBytesTimeout = firstBytesTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        // carries no request yet: a graceful stop closes it at once (the protocol's handler replaces this)
        ctx.channel().attr(ClientConnection.KEY).set(ctx::close);
        timeout = ctx.executor().schedule(() -> {
            ctx.close();
        }, firstBytesTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean matches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), length);
        if (matches && length < PREFACE.readableBytes()) {
            ctx.read(); // so far the preface: more bytes tell
            return;
        }
        // the bytes stay where they are: ByteToMessageDecoder passes them on to what replaces this handler
        ctx.channel().attr(ClientConnection.KEY).set(null);
        if (matches) {
            protocols.h2(ctx.pipeline());
        } else {
            protocols.http1(ctx.pipeline());
        }
        ctx.pipeline().remove(this);
    }
}
