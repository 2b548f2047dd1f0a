package io.jcluster.agent.http.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The response cache of one balancer, shared by all its event loops: entries by primary key, each with its
 * {@link Variants} (Vary), bounded in bytes by {@code cache=} (Caffeine, weighed by {@link StoredResponse#weight}:
 * W-TinyLFU), with no body above {@code cache-max-object=}; bodies are copied into {@link CacheBodies}, concurrent
 * misses of one key coalesce in {@link Fills}. Thread-safe; nothing here blocks.
 */
public final class ResponseCache {

    /** The most requests that may wait for one fill. */
    public static final int MAX_WAITERS = 1024;

    private final long maxBytes;
    private final long maxObject;
    private final Cache<String, Variants> entries;
    private final Fills fills;
    private final OutcomeCounters counters = new OutcomeCounters();
    private final LongAdder stores = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder purged = new LongAdder();
    private final LongAdder storedResponses = new LongAdder();

    /**
     * @param maxBytes     cache=
     * @param maxObject    cache-max-object=
     */
    public ResponseCache(long maxBytes, long maxObject) {
        this(maxBytes, maxObject, System::nanoTime);
    }

    ResponseCache(long maxBytes, long maxObject, LongSupplier nanoTime) {
        if (maxBytes <= 0 || maxObject <= 0 || maxObject > maxBytes) {
            throw new IllegalArgumentException("cache=" + maxBytes + " and cache-max-object=" + maxObject
                    + ": both positive, cache-max-object at most cache");
        }
        this.maxBytes = maxBytes;
        this.maxObject = maxObject;
        this.fills = new Fills(nanoTime);
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, Variants variants) -> variants.weight)
                // maintenance (eviction, and so the release of evicted bodies) on the thread that wrote: the bound
                // holds right after each put, and no pool thread is needed
                .executor(Runnable::run)
                .removalListener(this::removed)
                .build();
    }

    public long maxObject() {
        return maxObject;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The stored response that {@code request} selects (its key, and its Vary values), or null. */
    public StoredResponse find(CacheRequest request) {
        Variants variants = entries.getIfPresent(request.key());
        if (variants == null) {
            return null;
        }
        for (StoredResponse variant : variants.responses) {
            if (CachePolicy.varyMatches(request, variant)) {
                return variant;
            }
        }
        return null;
    }

    /**
     * Stores (or replaces the variant of) a response; the cache owns its body from now on (released here when the
     * response is not kept: a body over cache-max-object, or a weight over the whole bound). Returns the response as
     * stored (its body copied into the cache's own buffer: hand this one to {@link PendingFill#complete}), or null.
     */
    public StoredResponse put(StoredResponse response) {
        ByteBuf given = response.body();
        if (given.readableBytes() > maxObject) {
            given.release();
            return null;
        }
        StoredResponse own = CacheBodies.withOwnBody(response);
        return own == null ? null : keep(own);
    }

    /**
     * Replaces {@code stored} by the same body under a head refreshed from a 304 (RFC 9111 section 4.3.4); returns
     * the refreshed response, or null when {@code stored} left the cache meanwhile (serve the 304's request as a miss
     * then).
     */
    public StoredResponse refresh(StoredResponse stored, ResponseFacts facts, byte[] headBytes, long requestTime,
                                  long responseTime) {
        ByteBuf body = stored.retainedBody();
        if (body == null) {
            return null;
        }
        return keep(new StoredResponse(stored.key(), facts, headBytes, body, requestTime, responseTime,
                stored.varyValues()));
    }

    private StoredResponse keep(StoredResponse stored) {
        if (stored.weight() > Math.min(maxBytes, Integer.MAX_VALUE)) {
            stored.body().release();
            return null;
        }
        List<StoredResponse> dropped = new ArrayList<>(1);
        entries.asMap().compute(stored.key(), (key, old) -> Variants.with(old, stored, dropped));
        stores.increment();
        storedResponses.add(1 - dropped.size());
        for (StoredResponse gone : dropped) {
            gone.body().release();
        }
        return stored;
    }

    /** The fill of {@code key} in progress, or a new one whose {@link PendingFill#filler} is the caller. */
    public PendingFill fill(String key) {
        return fills.fill(key);
    }

    /** Forgets every variant of {@code key} (RFC 9111 section 4.4). */
    public void invalidate(String key) {
        entries.invalidate(key);
    }

    /**
     * Forgets the entries whose path (the target without the query) is {@code path}, or starts with it when
     * {@code prefix}, on any host; returns how many went.
     */
    public int purge(String path, boolean prefix) {
        int count = 0;
        for (String key : entries.asMap().keySet()) {
            if (KeyPath.matches(key, path, prefix)) {
                Variants gone = entries.asMap().remove(key);
                if (gone != null) {
                    count += gone.responses.length;
                }
            }
        }
        purged.add(count);
        return count;
    }

    /** Where the proxy counts each request's outcome. */
    public CacheCounters counters() {
        return counters;
    }

    /** Counters and sizes for /status and /metrics. */
    public CacheStats stats() {
        long bytes = entries.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
        return new CacheStats(counters.hits.sum(), counters.misses.sum(), counters.stale.sum(),
                counters.revalidated.sum(), counters.bypassed.sum(), counters.coalesced.sum(), stores.sum(),
                evictions.sum(), purged.sum(), Math.max(0, storedResponses.sum()), bytes, maxBytes);
    }

    /** Runs pending eviction now (tests, and the memory measurement). */
    void cleanUp() {
        entries.cleanUp();
    }

    /** Releases every body. */
    public void close() {
        entries.invalidateAll();
        entries.cleanUp();
        fills.endAll();
    }

    private void removed(String key, Variants variants, RemovalCause cause) {
        if (variants == null || cause == RemovalCause.REPLACED) {
            // a replaced entry's variants live on in its successor; put released the one it dropped
            return;
        }
        if (cause.wasEvicted()) {
            evictions.add(variants.responses.length);
        }
        storedResponses.add(-variants.responses.length);
        for (StoredResponse response : variants.responses) {
            response.body().release();
        }
    }
}
