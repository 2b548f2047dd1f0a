package io.jcluster.agent.http.cache;

/**
 * The cache's counters since start, and its size now. The proxy counts the outcomes (hit, miss, ...) through
 * {@link CacheCounters}; the store counts what it holds.
 */
public record CacheStats(long hits, long misses, long stale, long revalidated, long bypassed, long coalesced,
                         long stores, long evictions, long purged, long entries, long bytes, long maxBytes) {
}
