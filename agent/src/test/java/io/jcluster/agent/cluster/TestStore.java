package io.jcluster.agent.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A store for the hub's tests: maps in a ConcurrentHashMap (no TTL), messages straight to the sink, a lease the test
 * gives and takes, and map calls that can be made to fail.
 */
final class TestStore implements Store {

    final ConcurrentHashMap<String, byte[]> entries = new ConcurrentHashMap<>();
    volatile RuntimeException failWith;
    /** What {@link SharedMaps#evictions(String)} answers, by map; the test sets it. */
    final ConcurrentHashMap<String, Long> evicted = new ConcurrentHashMap<>();
    volatile Consumer<Boolean> leaseListener;
    private final boolean leaseAtStart;
    private volatile MessageBus.Sink sink;

    TestStore(boolean leaseAtStart) {
        this.leaseAtStart = leaseAtStart;
    }

    @Override
    public String kind() {
        return "test";
    }

    @Override
    public Health health() {
        return new Health(true, "in the test");
    }

    @Override
    public SharedMaps maps() {
        return new SharedMaps() {
            private <T> CompletableFuture<T> answer(java.util.function.Supplier<T> value) {
                RuntimeException failure = failWith;
                return failure != null ? CompletableFuture.failedFuture(failure)
                        : CompletableFuture.completedFuture(value.get());
            }

            @Override
            public CompletableFuture<byte[]> get(String map, String key) {
                return answer(() -> entries.get(map + "/" + key));
            }

            @Override
            public CompletableFuture<Void> put(String map, String key, byte[] value, long ttlMillis) {
                return answer(() -> {
                    entries.put(map + "/" + key, value);
                    return null;
                });
            }

            @Override
            public CompletableFuture<Boolean> putIfAbsent(String map, String key, byte[] value, long ttlMillis) {
                return answer(() -> entries.putIfAbsent(map + "/" + key, value) == null);
            }

            @Override
            public CompletableFuture<Boolean> remove(String map, String key) {
                return answer(() -> entries.remove(map + "/" + key) != null);
            }

            @Override
            public CompletableFuture<Boolean> compareAndSet(String map, String key, byte[] expected, byte[] update) {
                return answer(() -> {
                    synchronized (entries) {
                        byte[] now = entries.get(map + "/" + key);
                        if (expected == null ? now != null : !Arrays.equals(now, expected)) {
                            return false;
                        }
                        entries.put(map + "/" + key, update);
                        return true;
                    }
                });
            }

            @Override
            public CompletableFuture<Long> increment(String map, String key, long delta) {
                return answer(() -> {
                    byte[] value = entries.merge(map + "/" + key, ascii(delta), (old, add) ->
                            ascii(Long.parseLong(new String(old, StandardCharsets.US_ASCII)) + delta));
                    return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
                });
            }

            @Override
            public long entries() {
                return entries.size();
            }

            @Override
            public long bytes() {
                return -1;
            }

            @Override
            public long evictions() {
                return 0;
            }

            @Override
            public long entries(String map) {
                return entries.keySet().stream().filter(key -> key.startsWith(map + "/")).count();
            }

            @Override
            public long evictions(String map) {
                return evicted.getOrDefault(map, 0L);
            }
        };
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public MessageBus messages() {
        return new MessageBus() {
            @Override
            public void publish(String topic, byte[] message, int fromWorker) {
                sink.deliver(topic, message, fromWorker);
            }

            @Override
            public void deliverTo(Sink to) {
                sink = to;
            }

            @Override
            public long dropped() {
                return 0;
            }
        };
    }

    @Override
    public HostLease lease() {
        return new HostLease() {
            @Override
            public void start(Consumer<Boolean> held) {
                leaseListener = held;
                if (leaseAtStart) {
                    held.accept(true);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
