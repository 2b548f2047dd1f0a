package io.jcluster.benchmarks;

import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The parent's side of a shared map call, the store operation alone (without the control channel round trip a
 * worker's call adds), the same operations and data for every store so that they compare line by line: 10,000 keys of
 * 100-byte values in a 64 MiB store (nothing evicted); {@code incrementHot} is every thread on one key,
 * {@code increment} spread over 1,000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class StoreBenchmark {

    static final int KEYS = 10_000;

    private Store store;
    SharedMaps maps;
    private String[] keys;
    byte[] value;

    /** The store to measure, started. */
    abstract Store open() throws Exception;

    /** After the store closed: what else {@link #open} started. */
    void afterClose() throws Exception {
    }

    @Setup
    public void setUp() throws Exception {
        store = open();
        maps = store.maps();
        keys = new String[KEYS];
        value = new byte[100];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user:" + i;
            maps.put("sessions", keys[i], value, 0).join();
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        try {
            store.close();
        } finally {
            afterClose();
        }
    }

    String anyKey() {
        return keys[ThreadLocalRandom.current().nextInt(KEYS)];
    }

    @Benchmark
    public byte[] get() {
        return maps.get("sessions", anyKey()).join();
    }

    @Benchmark
    public Object put() {
        return maps.put("sessions", anyKey(), value, 0).join();
    }

    @Benchmark
    public Object putWithTtl() {
        return maps.put("sessions", anyKey(), value, 60_000).join();
    }

    @Benchmark
    public long increment() {
        return maps.increment("counters", keys[ThreadLocalRandom.current().nextInt(1000)], 1).join();
    }

    @Benchmark
    public long incrementHot() {
        return maps.increment("counters", "visits", 1).join();
    }

    @Benchmark
    @Threads(2)
    public byte[] get2Threads() {
        return get();
    }

    @Benchmark
    @Threads(2)
    public long incrementHot2Threads() {
        return incrementHot();
    }
}
