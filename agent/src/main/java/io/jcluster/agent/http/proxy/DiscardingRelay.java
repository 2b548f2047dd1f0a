package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A worker's body the client does not get, because the cache answered instead (a 5xx replaced by a stale response,
 * a background revalidation): its framing is followed to its end, so the worker's connection stays in step and can
 * be reused, and its bytes are dropped.
 */
final class DiscardingRelay implements BodyRelay {

    static final DiscardingRelay INSTANCE = new DiscardingRelay();

    private DiscardingRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        int start = data.readerIndex();
        int end = x.responses.body.scan(data, start, data.writerIndex());
        int outcome = end < 0 ? CUT : end < data.writerIndex() ? LEFTOVER : WHOLE;
        data.release();
        if (outcome == CUT) {
            // the worker's framing broke: its connection cannot be trusted, and the exchange cannot tell where the
            // response ends; the client already has its answer, the connection ends as a passed-on one would
            x.client.close();
        }
        return outcome;
    }
}
