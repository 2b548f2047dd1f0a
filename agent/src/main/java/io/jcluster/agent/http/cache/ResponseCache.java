package io.jcluster.agent.http.cache;

/**
 * The response cache of one balancer, shared by all its event loops: entries by primary key, each with its variants
 * (Vary), bounded in bytes by {@code cache=} (Caffeine, weighed by {@link StoredResponse#weight}: W-TinyLFU), with
 * no body above {@code cache-max-object=}. Thread-safe; nothing here blocks.
 */
public final class ResponseCache {

    /** The most requests that may wait for one fill. */
    public static final int MAX_WAITERS = 1024;

    /**
     * @param maxBytes     cache=
     * @param maxObject    cache-max-object=
     */
    public ResponseCache(long maxBytes, long maxObject) {
        throw new UnsupportedOperationException("cache-store");
    }

    public long maxObject() {
        throw new UnsupportedOperationException("cache-store");
    }

    /** The stored response that {@code request} selects (its key, and its Vary values), or null. */
    public StoredResponse find(CacheRequest request) {
        throw new UnsupportedOperationException("cache-store");
    }

    /** Stores (or replaces the variant of) a response; the cache owns its body from now on. */
    public void put(StoredResponse response) {
        throw new UnsupportedOperationException("cache-store");
    }

    /** The fill of {@code key} in progress, or a new one whose {@link PendingFill#filler} is the caller. */
    public PendingFill fill(String key) {
        throw new UnsupportedOperationException("cache-store");
    }

    /** Forgets every variant of {@code key} (RFC 9111 section 4.4). */
    public void invalidate(String key) {
        throw new UnsupportedOperationException("cache-store");
    }

    /**
     * Forgets the entries whose path (the target without the query) is {@code path}, or starts with it when
     * {@code prefix}, on any host; returns how many went.
     */
    public int purge(String path, boolean prefix) {
        throw new UnsupportedOperationException("cache-store");
    }

    /** Where the proxy counts each request's outcome. */
    public CacheCounters counters() {
        throw new UnsupportedOperationException("cache-store");
    }

    /** Counters and sizes for /status and /metrics. */
    public CacheStats stats() {
        throw new UnsupportedOperationException("cache-store");
    }

    /** Releases every body. */
    public void close() {
        throw new UnsupportedOperationException("cache-store");
    }
}
