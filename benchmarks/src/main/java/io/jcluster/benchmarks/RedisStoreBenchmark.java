package io.jcluster.benchmarks;

import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.redis.RedisStore;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;
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

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The parent's side of a shared map call with {@code store=redis://...}: the store operation alone (one Redis round
 * trip over loopback through the shaded Lettuce), without the control channel round trip a worker's call adds. The
 * same operations and data as {@link EmbeddedStoreBenchmark}, so the two compare line by line. Starts its own
 * {@code redis-server} (Debian's package; {@code -Dredis.server=PATH} for another) on a free loopback port, nothing
 * saved to disk, and kills it at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class RedisStoreBenchmark {

    static final int KEYS = 10_000;

    private Process redis;
    private Store store;
    private SharedMaps maps;
    private String[] keys;
    private byte[] value;

    @Setup
    public void setUp() throws IOException, InterruptedException {
        String binary = System.getProperty("redis.server", "/usr/bin/redis-server");
        if (!new File(binary).canExecute()) {
            throw new IllegalStateException(binary + " is missing: apt-get install redis-server (or -Dredis.server=)");
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        redis = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        awaitListening(port);
        store = RedisStore.open(new StoreOptions(new StoreLocation("127.0.0.1", port, 0, false), 64L << 20,
                Duration.ofSeconds(5), 256L << 10, null));
        maps = store.maps();
        keys = new String[KEYS];
        value = new byte[100];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user:" + i;
            maps.put("sessions", keys[i], value, 0).join();
        }
    }

    private static void awaitListening(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        try {
            store.close();
        } finally {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String anyKey() {
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
    public boolean compareAndSet() {
        return maps.compareAndSet("sessions", anyKey(), value, value).join();
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
