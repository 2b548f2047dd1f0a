package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.uring.IoUringBufferRingAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The io_uring buffer ring's buffers must slice without allocating: Netty passes each read from the ring to the
 * pipeline as {@code ringBuffer.retainedSlice(writerIndex, read)} and then releases the ring's reference
 * (IoUringBufferRing.useBuffer). This replays that sequence on an event-loop-like thread (a FastThreadLocalThread,
 * whose pooled-allocator cache the event loop has too) and counts the bytes that thread allocates.
 */
class RingBuffersTest {

    private static final int READS = 20_000;

    @Test
    void ringBuffersHaveTheSizeOfARead() {
        ByteBuf buffer = RingBuffers.allocator().allocate();
        try {
            assertEquals(RingBuffers.BUFFER_SIZE, buffer.capacity());
            assertTrue(buffer.isDirect(), "the kernel writes into the ring's buffers: they must be direct");
        } finally {
            buffer.release();
        }
    }

    @Test
    void aReadFromTheRingAllocatesNoSliceObject() throws Exception {
        IoUringBufferRingAllocator allocator = RingBuffers.allocator();
        AtomicLong sliceBytes = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = new FastThreadLocalThread(() -> {
            try {
                // the bytes the slice adds per read: reads replayed with and without it, fewest of several rounds
                // (the first rounds fill the allocator's caches and compile the code)
                long with = Long.MAX_VALUE;
                long without = Long.MAX_VALUE;
                for (int round = 0; round < 6; round++) {
                    with = Math.min(with, bytesPerRead(allocator, true));
                    without = Math.min(without, bytesPerRead(allocator, false));
                }
                sliceBytes.set(with - without);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "ring-buffers-test");
        loop.start();
        loop.join(60_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        // the default (adaptive) allocator's buffers slice into a new UnpooledSlicedByteBuf: ~40 B more per read
        assertTrue(sliceBytes.get() < 24, "bytes the slice of a read from the ring allocates: " + sliceBytes.get());
    }

    private static long bytesPerRead(IoUringBufferRingAllocator allocator, boolean slice) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        replayReads(allocator, READS, slice);
        return (threads.getCurrentThreadAllocatedBytes() - before) / READS;
    }

    /**
     * What IoUringBufferRing does per read, with the read held until released as a relay's write would; without
     * {@code slice} the ring's buffer itself is passed on (the baseline: what the allocator costs without the slice).
     */
    private static void replayReads(IoUringBufferRingAllocator allocator, int reads, boolean slice) {
        ByteBuf[] inFlight = new ByteBuf[8];
        for (int i = 0; i < reads; i++) {
            ByteBuf ringBuffer = allocator.allocate();
            ByteBuf read = slice ? ringBuffer.retainedSlice(ringBuffer.writerIndex(), 100) : ringBuffer.retain();
            ringBuffer.release();
            int slot = i % inFlight.length;
            if (inFlight[slot] != null) {
                inFlight[slot].release();
            }
            inFlight[slot] = read; // escapes, as a buffer handed to the pipeline does
        }
        for (ByteBuf read : inFlight) {
            if (read != null) {
                read.release();
            }
        }
    }
}
