package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * A body the worker ends by closing, to an HTTP/1.1 client that keeps its connection: each read goes on as one
 * chunk, and the worker's close becomes the last chunk (RFC 9112 section 7.1).
 */
final class RechunkingRelay implements BodyRelay {

    static final RechunkingRelay INSTANCE = new RechunkingRelay();

    private static final byte[] LAST_CHUNK = HeadWriter.ascii("0\r\n\r\n");

    private RechunkingRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        ChannelHandlerContext ctx = x.ctx;
        int start = data.readerIndex();
        int n = data.writerIndex() - start;
        x.bytesToClient += n;
        if (n > 0) {
            ByteBuf size = ctx.alloc().directBuffer(12);
            ByteBufUtil.writeAscii(size, Integer.toHexString(n));
            size.writeBytes(HeadWriter.CRLF);
            ctx.write(size, ctx.voidPromise());
            ctx.write(data.retainedSlice(start, n), ctx.voidPromise());
            ctx.write(Unpooled.wrappedBuffer(HeadWriter.CRLF), ctx.voidPromise());
            x.clientNeedsFlush = true;
        }
        data.release();
        return WHOLE;
    }

    @Override
    public void endedByClose(Exchange x) {
        x.ctx.write(Unpooled.wrappedBuffer(LAST_CHUNK), x.ctx.voidPromise());
    }
}
