package io.jcluster.agent.balancer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Request durations in fixed buckets (Prometheus style: each bucket counts durations up to its bound), lock-free:
 * one atomic add per bucket hit, plus the count and the sum. Bucket counters are spread a cache line apart so that
 * event loops recording different durations do not contend.
 */
public final class LatencyHistogram {

    /** Upper bounds in seconds; a last, unbounded bucket (+Inf) follows. */
    private static final double[] BOUNDS_SECONDS = {
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
    /** Longs per cache line: bucket i lives at index i * STRIDE. */
    private static final int STRIDE = 8;

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = (long) (BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final AtomicLongArray buckets = new AtomicLongArray((BOUNDS_SECONDS.length + 1) * STRIDE);
    private final PaddedCounter count = new PaddedCounter();
    private final PaddedCounter sumNanos = new PaddedCounter();

    /** The finite bucket bounds, in seconds (a copy). */
    public static double[] boundsSeconds() {
        return BOUNDS_SECONDS.clone();
    }

    void record(long nanos) {
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        buckets.getAndIncrement(bucket * STRIDE);
        sumNanos.add(Math.max(0, nanos));
        count.increment();
    }

    /** Cumulative counts per bucket, the last one being +Inf (as Prometheus' {@code _bucket{le=...}}). */
    public long[] cumulativeCounts() {
        long[] cumulative = new long[BOUNDS_SECONDS.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += buckets.get(i * STRIDE);
            cumulative[i] = running;
        }
        return cumulative;
    }

    public long count() {
        return count.get();
    }

    public long sumNanos() {
        return sumNanos.get();
    }
}
