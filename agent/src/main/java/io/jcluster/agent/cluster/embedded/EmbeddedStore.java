package io.jcluster.agent.cluster.embedded;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.jcluster.agent.cluster.HostLease;
import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.StoreException;
import io.jcluster.agent.config.StoreOptions;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code store=embedded}: the Cluster API's state in the parent, for the workers of this host. Every shared map lives
 * in ONE Caffeine cache keyed by (map, key), bounded by {@code store-size} in bytes (past it, Caffeine's W-TinyLFU
 * evicts the least recently and frequently used entries) with a time to live per entry. Each atomic operation is one
 * {@code compute} on the cache's map, which is atomic per key, so concurrent workers' operations on a key never
 * interleave. Nothing here waits: every future is complete when returned. Messages go straight to the sink; this
 * host always holds the lease.
 */
public final class EmbeddedStore implements Store {

    /**
     * What an entry costs besides its map name, key and value bytes: measured, not derived. A heap comparison (used
     * heap after full GCs, before and after putting 200,000 entries with fresh strings as decoded frames carry them,
     * JDK 17, 64-bit, compressed references) found 248 bytes per entry: Caffeine's node with expiry and weight, its
     * table slot, the (map, key) record, the entry record, the value array's header, and both strings' objects and
     * array headers. Text is counted as the heap holds it: one byte a character, two if any is beyond Latin-1.
     */
    static final int ENTRY_OVERHEAD = 248;

    /** The longest time to live kept (about 73 years): longer ones are that, so clock arithmetic cannot overflow. */
    static final long MAX_TTL_NANOS = Long.MAX_VALUE >> 2;

    /** Expiry of an entry without a time to live. */
    private static final long NEVER = Long.MAX_VALUE;

    private final Cache<MapKey, Entry> cache;
    private final ConcurrentMap<MapKey, Entry> entries;
    private final Ticker ticker;
    private final LongAdder evictions = new LongAdder();
    /** By map name: /status tells how many sessions (map jcluster.sessions) the store had to drop. */
    private final ConcurrentMap<String, LongAdder> evictionsByMap = new ConcurrentHashMap<>();
    private final Maps maps = new Maps();
    private final MessageBus messages = new DirectBus();
    private final HostLease lease = new SoleHostLease();

    /**
     * @param executor runs Caffeine's maintenance (eviction, expiry): never the common pool, which the app's code
     *                 may own in the parent's JVM; {@code Runnable::run} runs it on the calling thread
     * @param ticker   Caffeine's clock for expiry (a fake one in tests)
     */
    EmbeddedStore(long sizeBytes, Executor executor, Ticker ticker) {
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(sizeBytes)
                .weigher(EmbeddedStore::weigh)
                .expireAfter(new EntryExpiry())
                .evictionListener((MapKey key, Entry entry, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                        evictionsByMap.computeIfAbsent(key.map(), name -> new LongAdder()).increment();
                    }
                })
                .executor(executor)
                .ticker(ticker)
                .build();
        this.entries = cache.asMap();
    }

    /** The store {@code store=embedded} opens: bounded by {@code store-size}, maintained on the calling thread. */
    public static EmbeddedStore open(StoreOptions options) {
        return new EmbeddedStore(options.sizeBytes(), Runnable::run, Ticker.systemTicker());
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public Health health() {
        return new Health(true, "in the parent");
    }

    @Override
    public SharedMaps maps() {
        return maps;
    }

    @Override
    public MessageBus messages() {
        return messages;
    }

    @Override
    public HostLease lease() {
        return lease;
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }

    static int weigh(MapKey key, Entry entry) {
        return ENTRY_OVERHEAD + textBytes(key.map()) + textBytes(key.key()) + entry.value().length;
    }

    /** What a string's characters take on the heap: one byte each when all are Latin-1, else two (UTF-16). */
    static int textBytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return 2 * text.length();
            }
        }
        return text.length();
    }

    private boolean live(Entry entry) {
        return entry != null && (entry.expiresAt() == NEVER || entry.expiresAt() - ticker.read() > 0);
    }

    private long expiresAt(long ttlMillis) {
        if (ttlMillis < 0) {
            throw new IllegalArgumentException("ttlMillis " + ttlMillis + " < 0");
        }
        if (ttlMillis == 0) {
            return NEVER;
        }
        return ticker.read() + Math.min(TimeUnit.MILLISECONDS.toNanos(ttlMillis), MAX_TTL_NANOS);
    }

    /** The key of one entry of one map. */
    record MapKey(String map, String key) {
    }

    /** A value and when it expires, on the ticker's clock; {@link #NEVER} without a time to live. */
    record Entry(byte[] value, long expiresAt) {
    }

    /** Caffeine asks after every write and read how long an entry has left: what its expiry says. */
    private final class EntryExpiry implements Expiry<MapKey, Entry> {

        @Override
        public long expireAfterCreate(MapKey key, Entry entry, long currentTime) {
            return left(entry, currentTime);
        }

        @Override
        public long expireAfterUpdate(MapKey key, Entry entry, long currentTime, long currentDuration) {
            return left(entry, currentTime);
        }

        @Override
        public long expireAfterRead(MapKey key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long left(Entry entry, long now) {
            return entry.expiresAt() == NEVER ? Long.MAX_VALUE : Math.max(0, entry.expiresAt() - now);
        }
    }

    private final class Maps implements SharedMaps {

        @Override
        public CompletableFuture<byte[]> get(String map, String key) {
            Entry entry = entries.get(new MapKey(map, key));
            return CompletableFuture.completedFuture(live(entry) ? entry.value() : null);
        }

        /** Takes {@code value} as it is: the caller hands it over and does not change it afterwards. */
        @Override
        public CompletableFuture<Void> put(String map, String key, byte[] value, long ttlMillis) {
            Objects.requireNonNull(value, "value");
            try {
                entries.put(new MapKey(map, key), new Entry(value, expiresAt(ttlMillis)));
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> putIfAbsent(String map, String key, byte[] value, long ttlMillis) {
            Objects.requireNonNull(value, "value");
            boolean[] stored = new boolean[1];
            try {
                long expiresAt = expiresAt(ttlMillis);
                entries.compute(new MapKey(map, key), (k, old) -> {
                    if (live(old)) {
                        return old;
                    }
                    stored[0] = true;
                    return new Entry(value, expiresAt);
                });
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(stored[0]);
        }

        @Override
        public CompletableFuture<Boolean> remove(String map, String key) {
            boolean[] removed = new boolean[1];
            entries.computeIfPresent(new MapKey(map, key), (k, old) -> {
                removed[0] = live(old);
                return null;
            });
            return CompletableFuture.completedFuture(removed[0]);
        }

        @Override
        public CompletableFuture<Boolean> compareAndSet(String map, String key, byte[] expected, byte[] update) {
            Objects.requireNonNull(update, "update");
            boolean[] swapped = new boolean[1];
            entries.compute(new MapKey(map, key), (k, old) -> {
                boolean present = live(old);
                if (expected == null ? present : !present || !Arrays.equals(old.value(), expected)) {
                    return present ? old : null;
                }
                swapped[0] = true;
                return new Entry(update, present ? old.expiresAt() : NEVER);
            });
            return CompletableFuture.completedFuture(swapped[0]);
        }

        @Override
        public CompletableFuture<Long> increment(String map, String key, long delta) {
            long[] result = new long[1];
            try {
                entries.compute(new MapKey(map, key), (k, old) -> {
                    boolean present = live(old);
                    long current = present ? number(map, key, old.value()) : 0;
                    long next;
                    try {
                        next = Math.addExact(current, delta);
                    } catch (ArithmeticException e) {
                        throw new StoreException("shared map '" + map + "': incrementing '" + key + "' (" + current
                                + ") by " + delta + " overflows a 64-bit number");
                    }
                    result[0] = next;
                    return new Entry(DecimalText.decimal(next), present ? old.expiresAt() : NEVER);
                });
            } catch (StoreException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(result[0]);
        }

        private long number(String map, String key, byte[] value) {
            try {
                return DecimalText.parseDecimal(value);
            } catch (NumberFormatException e) {
                throw new StoreException("shared map '" + map + "': the value of '" + key + "' is not a number:"
                        + " increment needs one (decimal text)");
            }
        }

        /**
         * Entries held now. First runs Caffeine's pending maintenance on the calling thread, which may wait a moment
         * for the cache's eviction lock: call it from a stats thread, not from an event loop. An entry that expired
         * unread still counts until Caffeine's timer wheel passes its bucket, about a second after its expiry.
         */
        @Override
        public long entries() {
            cache.cleanUp();
            return cache.estimatedSize();
        }

        /** As {@link #entries()}: after the pending maintenance, so that both describe the same moment. */
        @Override
        public long bytes() {
            cache.cleanUp();
            return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
        }

        @Override
        public long evictions() {
            return evictions.sum();
        }

        /** Walks every entry of the store (about a millisecond per 100,000), after the pending maintenance. */
        @Override
        public long entries(String map) {
            cache.cleanUp();
            long count = 0;
            for (MapKey key : entries.keySet()) {
                if (key.map().equals(map)) {
                    count++;
                }
            }
            return count;
        }

        @Override
        public long evictions(String map) {
            LongAdder evicted = evictionsByMap.get(map);
            return evicted == null ? 0 : evicted.sum();
        }
    }
}
