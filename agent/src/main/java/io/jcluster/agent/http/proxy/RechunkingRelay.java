package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

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
        ClientSide client = x.client;
        int start = data.readerIndex();
        int n = data.writerIndex() - start;
        x.bytesToClient += n;
        if (n > 0) {
            ByteBuf size = client.alloc().directBuffer(12);
            ByteBufUtil.writeAscii(size, Integer.toHexString(n));
            size.writeBytes(HeadWriter.CRLF);
            client.write(size);
            client.write(data.retainedSlice(start, n));
            client.write(Unpooled.wrappedBuffer(HeadWriter.CRLF));
            x.clientNeedsFlush = true;
        }
        data.release();
        return WHOLE;
    }

    @Override
    public void endedByClose(Exchange x) {
        x.client.write(Unpooled.wrappedBuffer(LAST_CHUNK));
    }
}
