package io.jcluster.agent.http.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: the measurement behind ResponseCache's choice of body buffers. Run once per kind, each in a JVM of its
 * own (RSS is per process): {@code java -cp <test classpath> io.jcluster.agent.http.cache.BodyAllocationMeasurement
 * pooled|unpooled|heap}. Stores 10,000 distinct 100 KiB bodies through a Caffeine cache bounded at 16 MiB (as
 * ResponseCache does), then reports the time per store and the process's RSS growth.
 */
public final class BodyAllocationMeasurement {

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        ByteBufAllocator allocator = switch (kind) {
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            case "unpooled", "heap" -> UnpooledByteBufAllocator.DEFAULT;
            default -> throw new IllegalArgumentException(kind);
        };
        int size = 100 * 1024;
        byte[] content = new byte[size];
        Cache<Integer, ByteBuf> cache = Caffeine.newBuilder().maximumWeight(16L << 20)
                .weigher((Integer key, ByteBuf body) -> body.capacity()).executor(Runnable::run)
                .removalListener((Integer key, ByteBuf body, com.github.benmanes.caffeine.cache.RemovalCause cause) -> body.release())
                .build();
        System.gc();
        long before = rss();
        long started = System.nanoTime();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10_000; i++) {
                content[0] = (byte) i;
                ByteBuf body = kind.equals("heap") ? allocator.heapBuffer(size, size) : allocator.directBuffer(size, size);
                body.writeBytes(content);
                cache.put(round * 10_000 + i, body);
            }
            cache.cleanUp();
            System.out.printf("%s round %d: %.1f us/store, RSS growth %d MiB, entries %d%n", kind, round,
                    (System.nanoTime() - started) / 1000.0 / ((round + 1) * 10_000), (rss() - before) >> 20,
                    cache.estimatedSize());
        }
        cache.invalidateAll();
        cache.cleanUp();
        System.gc();
        Thread.sleep(500);
        System.out.printf("%s after invalidating all: RSS growth %d MiB%n", kind, (rss() - before) >> 20);
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
