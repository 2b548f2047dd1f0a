package io.jcluster.agent.http.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Where the cache keeps bodies: exact-sized unpooled direct buffers ({@link #BODIES}), copied once when stored.
 * Measured on this machine (JDK 17, Netty 4.2.18, 2 shared cores; BodyAllocationMeasurement in the tests: 3 x 10,000
 * distinct 100 KiB bodies through a Caffeine cache bounded at 16 MiB, ~163 kept), time per store and the process's
 * RSS growth after each 10,000: pooled direct 237/138/110 us, +21/+22/+30 MiB; unpooled direct 130/91/76 us,
 * +11/+13/+20 MiB; heap 86/68/54 us but +256/+306/+354 MiB (the young generation fills with dead bodies before a GC:
 * the heap, not the bound, sets the footprint; and a heap body is copied to a direct buffer on every hit's write).
 * Unpooled direct was the lower footprint and the faster store of the two direct kinds, and it is the safe one: a
 * pooled buffer's object is recycled once released, so a hit racing an eviction could retain a buffer that by then
 * holds another response, while a released unpooled one fails {@code retain} cleanly
 * ({@link StoredResponse#retainedBody}). A hit's view of the body ({@code retainedDuplicate}) allocates 40 bytes on
 * an unpooled buffer, 64 on a pooled one (measured with ThreadMXBean.getThreadAllocatedBytes over 100,000 calls).
 */
final class CacheBodies {

    static final ByteBufAllocator BODIES = UnpooledByteBufAllocator.DEFAULT;

    private CacheBodies() {
    }

    /**
     * The response with its body copied into an exact-sized buffer of {@link #BODIES}, or null when direct memory is
     * exhausted; the given one released either way.
     */
    static StoredResponse withOwnBody(StoredResponse response) {
        ByteBuf given = response.body();
        int size = given.readableBytes();
        ByteBuf own;
        try {
            own = BODIES.directBuffer(size, size);
        } catch (OutOfMemoryError full) {
            // direct memory (MaxDirectMemorySize, by default the max heap) is smaller than cache=: this response
            // is not stored (jcluster_cache_bytes stays below cache=, docs/cache.md says why), the parent goes on
            given.release();
            return null;
        }
        try {
            own.writeBytes(given, given.readerIndex(), size);
        } finally {
            given.release();
        }
        return new StoredResponse(response.key(), response.facts(), response.headBytes(), own,
                response.requestTime(), response.responseTime(), response.varyValues());
    }
}
