package io.jcluster.benchmarks;

import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.redis.RedisStore;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;
import org.openjdk.jmh.annotations.Benchmark;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link StoreBenchmark} with {@code store=redis://...}: one Redis round trip over loopback through the shaded
 * Lettuce. Starts its own {@code redis-server} (Debian's package; {@code -Dredis.server=PATH} for another) on a free
 * loopback port, nothing saved to disk, and kills it at the end.
 */
public class RedisStoreBenchmark extends StoreBenchmark {

    private Process redis;

    @Override
    Store open() throws IOException, InterruptedException {
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
        return RedisStore.open(new StoreOptions(new StoreLocation("127.0.0.1", port, 0, false), 64L << 20,
                Duration.ofSeconds(5), 256L << 10, null));
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

    @Override
    void afterClose() throws InterruptedException {
        redis.destroyForcibly();
        redis.waitFor(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public boolean compareAndSet() {
        return maps.compareAndSet("sessions", anyKey(), value, value).join();
    }
}
