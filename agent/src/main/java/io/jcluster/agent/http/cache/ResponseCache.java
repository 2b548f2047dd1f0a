package io.jcluster.agent.http.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The response cache of one balancer, shared by all its event loops: entries by primary key, each with its variants
 * (Vary), bounded in bytes by {@code cache=} (Caffeine, weighed by {@link StoredResponse#weight}: W-TinyLFU), with
 * no body above {@code cache-max-object=}. Thread-safe; nothing here blocks.
 * <p>
 * Bodies live in exact-sized unpooled direct buffers ({@link #BODIES}), copied once when stored. Measured on this
 * machine (JDK 17, Netty 4.2.18, 2 shared cores; BodyAllocationMeasurement in the tests: 3 x 10,000 distinct 100 KiB
 * bodies through a Caffeine cache bounded at 16 MiB, ~163 kept), time per store and the process's RSS growth after
 * each 10,000: pooled direct 237/138/110 us, +21/+22/+30 MiB; unpooled direct 130/91/76 us, +11/+13/+20 MiB; heap
 * 86/68/54 us but +256/+306/+354 MiB (the young generation fills with dead bodies before a GC: the heap, not the
 * bound, sets the footprint; and a heap body is copied to a direct buffer on every hit's write). Unpooled direct
 * was the lower footprint and the faster store of the two direct kinds, and it is the safe one: a pooled buffer's
 * object is recycled once released, so a hit racing an eviction could retain a buffer that by then holds another
 * response, while a released unpooled one fails {@code retain} cleanly ({@link StoredResponse#retainedBody}). A hit's
 * view of the body ({@code retainedDuplicate}) allocates 40 bytes on an unpooled buffer, 64 on a pooled one (measured
 * with ThreadMXBean.getThreadAllocatedBytes over 100,000 calls).
 */
public final class ResponseCache {

    /** The most requests that may wait for one fill. */
    public static final int MAX_WAITERS = 1024;

    /** The most variants kept per key; past it the oldest goes (a hostile Vary value must not grow a key's list). */
    static final int MAX_VARIANTS = 16;

    /**
     * A fill older than this is abandoned (its filler never completed it: a bug, or a connection lost without its
     * cleanup): the next request for the key fills anew instead of waiting for nothing.
     */
    static final long ABANDONED_FILL_NANOS = 5L * 60 * 1_000_000_000L;

    /** Where bodies are kept: see the class comment for why unpooled direct. */
    static final ByteBufAllocator BODIES = UnpooledByteBufAllocator.DEFAULT;

    private final long maxBytes;
    private final long maxObject;
    private final LongSupplier nanoTime;
    private final Cache<String, Variants> entries;
    private final ConcurrentHashMap<String, Fill> fills = new ConcurrentHashMap<>();
    private final Counters counters = new Counters();
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
        this.nanoTime = nanoTime;
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
        StoredResponse own = withOwnBody(response);
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
        long now = nanoTime.getAsLong();
        while (true) {
            Fill created = new Fill(key, now);
            Fill existing = fills.putIfAbsent(key, created);
            if (existing == null) {
                return created;
            }
            if (now - existing.started < ABANDONED_FILL_NANOS) {
                return existing.waiting;
            }
            // its waiters are told null (they ask a worker); the new fill takes its place
            existing.complete(null);
        }
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
            if (matches(key, path, prefix)) {
                Variants gone = entries.asMap().remove(key);
                if (gone != null) {
                    count += gone.responses.length;
                }
            }
        }
        purged.add(count);
        return count;
    }

    /** Whether the path of {@code key} (scheme://host/path?query, then its keyed fields) is {@code path}, or starts with it. */
    static boolean matches(String key, String path, boolean prefix) {
        int scheme = key.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        // the authority ends at the first '/' or '?' (RFC 3986 section 3.2): the path starts there, if at a '/'
        while (start < key.length() && key.charAt(start) != '/' && key.charAt(start) != '?') {
            start++;
        }
        if (start == key.length() || key.charAt(start) != '/') {
            return false;
        }
        int fields = key.indexOf('\n', start); // the keyed fields (CacheRequest#key) follow the target
        int targetEnd = fields < 0 ? key.length() : fields;
        int query = key.indexOf('?', start);
        int end = query < 0 || query > targetEnd ? targetEnd : query;
        int length = end - start;
        if (prefix) {
            return length >= path.length() && key.startsWith(path, start);
        }
        return length == path.length() && key.startsWith(path, start);
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
        for (Fill fill : fills.values()) {
            fill.complete(null);
        }
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

    /**
     * The response with its body copied into an exact-sized buffer of {@link #BODIES}, or null when direct memory is
     * exhausted; the given one released either way.
     */
    private static StoredResponse withOwnBody(StoredResponse response) {
        ByteBuf given = response.body();
        int size = given.readableBytes();
        ByteBuf own;
        try {
            own = BODIES.directBuffer(size, size);
        } catch (OutOfMemoryError full) {
            // direct memory (MaxDirectMemorySize, by default the max heap) is smaller than cache=: this response
            // is not stored (jcluster_cache_bytes stays below cache=, docs/cache.md says why), the parent goes on
            given.release();
            return null;
        }
        try {
            own.writeBytes(given, given.readerIndex(), size);
        } finally {
            given.release();
        }
        return new StoredResponse(response.key(), response.facts(), response.headBytes(), own,
                response.requestTime(), response.responseTime(), response.varyValues());
    }

    /** The variants of one key, immutable: a put makes a new one. */
    private static final class Variants {

        final StoredResponse[] responses;
        final int weight;

        private Variants(StoredResponse[] responses) {
            this.responses = responses;
            long total = 0;
            for (StoredResponse response : responses) {
                total += response.weight();
            }
            this.weight = (int) Math.min(Integer.MAX_VALUE, total);
        }

        /** {@code old} with {@code added} in place of the variant it replaces (or first); {@code dropped} gets what went. */
        static Variants with(Variants old, StoredResponse added, List<StoredResponse> dropped) {
            if (old == null) {
                return new Variants(new StoredResponse[] {added});
            }
            List<StoredResponse> kept = new ArrayList<>(old.responses.length + 1);
            kept.add(added);
            for (StoredResponse response : old.responses) {
                if (Arrays.equals(response.varyValues(), added.varyValues())) {
                    dropped.add(response);
                } else if (kept.size() < MAX_VARIANTS) {
                    kept.add(response);
                } else {
                    dropped.add(response);
                }
            }
            return new Variants(kept.toArray(StoredResponse[]::new));
        }
    }

    /** One fill; {@link #waiting} is the handle the waiters get. */
    private final class Fill implements PendingFill {

        final String key;
        final long started;
        final PendingFill waiting = new PendingFill() {
            @Override
            public boolean filler() {
                return false;
            }

            @Override
            public boolean await(Waiter waiter) {
                return Fill.this.await(waiter);
            }

            @Override
            public void complete(StoredResponse stored) {
                throw new IllegalStateException("only the filler completes a fill");
            }
        };
        private final List<Waiter> waiters = new ArrayList<>();
        private boolean done;
        private StoredResponse outcome;

        Fill(String key, long started) {
            this.key = key;
            this.started = started;
        }

        @Override
        public boolean filler() {
            return true;
        }

        @Override
        public boolean await(Waiter waiter) {
            StoredResponse known;
            synchronized (this) {
                if (!done) {
                    if (waiters.size() >= MAX_WAITERS) {
                        return false;
                    }
                    waiters.add(waiter);
                    return true;
                }
                known = outcome;
            }
            waiter.filled(known);
            return true;
        }

        @Override
        public void complete(StoredResponse stored) {
            fills.remove(key, this);
            Waiter[] told;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                outcome = stored;
                told = waiters.toArray(Waiter[]::new);
                waiters.clear();
            }
            for (Waiter waiter : told) {
                waiter.filled(stored);
            }
        }
    }

    private static final class Counters implements CacheCounters {

        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder stale = new LongAdder();
        final LongAdder revalidated = new LongAdder();
        final LongAdder bypassed = new LongAdder();
        final LongAdder coalesced = new LongAdder();

        @Override
        public void hit() {
            hits.increment();
        }

        @Override
        public void miss() {
            misses.increment();
        }

        @Override
        public void stale() {
            stale.increment();
        }

        @Override
        public void revalidated() {
            revalidated.increment();
        }

        @Override
        public void bypassed() {
            bypassed.increment();
        }

        @Override
        public void coalesced() {
            coalesced.increment();
        }
    }
}
