package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** A body goes on as it came: the framing only counts where it ends. */
final class PassThroughRelay implements BodyRelay {

    static final PassThroughRelay INSTANCE = new PassThroughRelay();

    private PassThroughRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        ChannelHandlerContext ctx = x.ctx;
        int start = data.readerIndex();
        int from = sliceFrom >= 0 ? sliceFrom : start;
        int end = x.responses.body.scan(data, start, data.writerIndex());
        if (end < 0) {
            data.release();
            ctx.close(); // the response is cut; the client must not take it for whole
            return CUT;
        }
        x.bytesToClient += end - start;
        if (end > from) {
            x.clientNeedsFlush = true;
            if (end == data.writerIndex()) {
                data.readerIndex(from); // all of it goes on: the buffer itself, no slice
                ctx.write(data, ctx.voidPromise());
                return WHOLE;
            }
            ctx.write(data.retainedSlice(from, end - from), ctx.voidPromise());
        }
        int outcome = end < data.writerIndex() ? LEFTOVER : WHOLE;
        data.release();
        return outcome;
    }
}
