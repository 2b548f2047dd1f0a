package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A body being stored: the connection's {@link CacheFill} copies it, then it goes where it would have gone (the
 * client, or nowhere for a background revalidation) by the relay the cache chose.
 */
final class TeeRelay implements BodyRelay {

    static final TeeRelay INSTANCE = new TeeRelay();

    private TeeRelay() {
    }

    @Override
    public int relay(Exchange x, ByteBuf data, int sliceFrom) {
        CacheLookup cache = x.cache;
        cache.fill.take(data, data.readerIndex(), data.writerIndex());
        return cache.then.relay(x, data, sliceFrom);
    }
}
