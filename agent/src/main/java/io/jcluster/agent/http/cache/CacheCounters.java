package io.jcluster.agent.http.cache;

/** What the proxy tells the cache happened to a request, for {@link CacheStats}. Thread-safe, allocation-free. */
public interface CacheCounters {
    void hit();
    void miss();
    void stale();
    void revalidated();
    void bypassed();
    void coalesced();
}
