package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.ChunkedScanner;
import io.netty.buffer.ByteBuf;

/** A chunked body to an HTTP/1.0 client, which knows no chunks: the data only, ended by closing. */
final class DechunkingRelay implements BodyRelay {

    static final DechunkingRelay INSTANCE = new DechunkingRelay();

    private DechunkingRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        ClientSide client = x.client;
        ChunkedScanner chunks = x.responses.body.chunks();
        int end = data.readerIndex();
        while (end < data.writerIndex() && !chunks.done()) {
            int stepStart = end;
            end = chunks.step(data, stepStart, data.writerIndex());
            if (end < 0) {
                data.release();
                client.close();
                return CUT;
            }
            if (chunks.lastStepData() && end > stepStart) {
                x.bytesToClient += end - stepStart;
                client.write(data.retainedSlice(stepStart, end - stepStart));
                x.clientNeedsFlush = true;
            }
        }
        int outcome = end < data.writerIndex() ? LEFTOVER : WHOLE;
        data.release();
        return outcome;
    }
}
