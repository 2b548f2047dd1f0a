package io.jcluster.agent.http.wire;

import io.netty.util.Recycler;

/**
 * The arrays a head is scanned into ({@link HeaderLines}), lent to it per event loop from the time its first byte
 * is copied until it is {@link MessageHead#reset reset}. A keep-alive connection between requests, or one whose
 * request is on its way to a worker, then holds no head arrays: at 2,000 connections that is 2 x 2,000 sets of
 * about 1.4 KiB each (a request's and a response's head) that the heap no longer keeps. Netty's {@link Recycler}
 * keeps the sets given back, per thread and bounded. Heads are read on event loops; a thread that is not one gets
 * no pool from the Recycler (a set given back there is left to the collector), which only tests do.
 */
final class HeadArrays {

    static final int BYTES = 1024; // the first copy of a scan (HeadScanner.MIN_COPY): most heads need no more
    static final int LINES = 16;
    /** Grown past this (a head with large header lines), a set is left to the collector instead of pooled. */
    private static final int MAX_POOLED_BYTES = 8 * 1024;
    private static final int MAX_POOLED_LINES = 64;
    /** Sets kept per event loop: what its heads mid-scan give back at once; a longer burst is collected. */
    private static final int POOLED_PER_LOOP = 64;

    private static final Recycler<HeadArrays> POOL = new Recycler<>(POOLED_PER_LOOP, 0, POOLED_PER_LOOP) {
        @Override
        protected HeadArrays newObject(Handle<HeadArrays> handle) {
            return new HeadArrays(handle);
        }
    };

    private final Recycler.Handle<HeadArrays> handle;
    byte[] bytes = new byte[BYTES];
    int[] lines = new int[LINES * HeaderLines.FIELDS];
    byte[] kinds = new byte[LINES];

    private HeadArrays(Recycler.Handle<HeadArrays> handle) {
        this.handle = handle;
    }

    static HeadArrays take() {
        return POOL.get();
    }

    /** Takes back the arrays as the head leaves them (grown, perhaps) and returns the set to the pool. */
    void giveBack(byte[] bytes, int[] lines, byte[] kinds) {
        if (bytes.length > MAX_POOLED_BYTES || kinds.length > MAX_POOLED_LINES) {
            return;
        }
        this.bytes = bytes;
        this.lines = lines;
        this.kinds = kinds;
        handle.recycle(this);
    }
}
