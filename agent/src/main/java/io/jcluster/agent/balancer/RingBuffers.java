package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.uring.IoUringBufferRingAllocator;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;

/**
 * Where the io_uring provided-buffer ring takes its buffers from. Netty hands every read from the ring to the pipeline
 * as a {@code retainedSlice} of the ring's buffer (IoUringBufferRing.useBuffer). A buffer of the default (adaptive)
 * allocator slices into a new UnpooledSlicedByteBuf each time, ~48 B per read; a buffer of the pooled allocator
 * slices into a PooledSlicedByteBuf taken from its recycler, nothing allocated (bench/RESULTS.md, "JMH: the io_uring
 * buffer ring's per-read slice"). Only the ring uses the pooled allocator; everything else keeps Netty's default.
 */
final class RingBuffers {

    /** Each buffer's size: a read from the ring never returns more than this. */
    static final int BUFFER_SIZE = 16 * 1024;

    private RingBuffers() {
    }

    static IoUringBufferRingAllocator allocator() {
        return new IoUringFixedBufferRingAllocator(source(), BUFFER_SIZE);
    }

    /** The allocator the ring's buffers come from (package-private for the test). */
    static ByteBufAllocator source() {
        return PooledByteBufAllocator.DEFAULT;
    }
}
