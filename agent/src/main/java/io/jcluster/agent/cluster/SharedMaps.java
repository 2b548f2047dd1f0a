package io.jcluster.agent.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * Every shared map of the cluster, by name. Each operation is atomic across every worker (and host). A failed
 * operation completes exceptionally with a {@link StoreException} whose message the app's exception carries.
 * {@code ttlMillis} 0 means no expiry.
 */
public interface SharedMaps {

    CompletableFuture<byte[]> get(String map, String key);

    CompletableFuture<Void> put(String map, String key, byte[] value, long ttlMillis);

    CompletableFuture<Boolean> putIfAbsent(String map, String key, byte[] value, long ttlMillis);

    CompletableFuture<Boolean> remove(String map, String key);

    /** {@code expected} null: only if absent. The entry keeps its time to live. */
    CompletableFuture<Boolean> compareAndSet(String map, String key, byte[] expected, byte[] update);

    /** Decimal text; absent counts as 0; keeps the time to live; a value that is not a number fails. */
    CompletableFuture<Long> increment(String map, String key, long delta);

    /** Entries stored now, or -1 when the store does not say (Redis). */
    long entries();

    /** Bytes accounted now (keys, values and overhead), or -1 when the store does not say. */
    long bytes();

    /** Entries evicted because the store was full. */
    long evictions();

    /**
     * Entries of one map stored now, or -1 when the store cannot tell cheaply (Redis: its keys are among the
     * server's others). May walk every entry of the store: for /status, never for a request's path.
     */
    long entries(String map);

    /** Entries of one map evicted because the store was full, or -1 when the store does not tell (Redis). */
    long evictions(String map);
}
