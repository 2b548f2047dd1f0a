package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;

/** A body goes on as it came: the framing only counts where it ends. */
final class PassThroughRelay implements BodyRelay {

    static final PassThroughRelay INSTANCE = new PassThroughRelay();

    private PassThroughRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        ClientSide client = x.client;
        int start = data.readerIndex();
        int from = sliceFrom >= 0 ? sliceFrom : start;
        int end = x.responses.body.scan(data, start, data.writerIndex());
        if (end < 0) {
            data.release();
            client.close(); // the response is cut; the client must not take it for whole
            return CUT;
        }
        x.bytesToClient += end - start;
        if (end > from) {
            x.clientNeedsFlush = true;
            if (end == data.writerIndex()) {
                data.readerIndex(from); // all of it goes on: the buffer itself, no slice
                client.write(data);
                return WHOLE;
            }
            client.write(data.retainedSlice(from, end - from));
        }
        int outcome = end < data.writerIndex() ? LEFTOVER : WHOLE;
        data.release();
        return outcome;
    }
}
