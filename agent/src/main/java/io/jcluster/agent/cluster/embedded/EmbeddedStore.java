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

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code store=embedded}: the Cluster API's state in the parent, for the workers of this host. Every shared map lives
 * in ONE Caffeine cache keyed by (map, key), bounded by {@code store-size} in bytes (least recently used entries are
 * evicted past it) with a time to live per entry. Each atomic operation is one {@code compute} on the cache's map,
 * which is atomic per key, so concurrent workers' operations on a key never interleave. Nothing here waits: every
 * future is complete when returned. Messages go straight to the sink; this host always holds the lease.
 */
public final class EmbeddedStore implements Store {

    /**
     * What an entry costs besides its key, map name and value bytes, as an estimate of the heap it takes on a 64-bit
     * JVM with compressed references: Caffeine's node with expiry and weight (~56), the map's table slot and hash
     * node (~40), the (map, key) record (16), the entry record (24), the value array's header (16), and the two
     * strings' objects and array headers (2 x 40). A heap comparison of 200,000 entries measured about this; see
     * EmbeddedStoreTest#theOverheadEstimateIsNearTheHeapItTakes.
     */
    static final int ENTRY_OVERHEAD = 232;

    /** Redis's INCRBY grammar: no '+', no leading zeros, no spaces (string2ll in Redis's util.c). */
    private static final Pattern DECIMAL = Pattern.compile("0|-?[1-9][0-9]{0,18}");

    /** Expiry of an entry without a time to live. */
    private static final long NEVER = Long.MAX_VALUE;

    private final Cache<MapKey, Entry> cache;
    private final ConcurrentMap<MapKey, Entry> entries;
    private final Ticker ticker;
    private final LongAdder evictions = new LongAdder();
    private final Maps maps = new Maps();
    private final Messages messages = new Messages();
    private final Lease lease = new Lease();

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
        return ENTRY_OVERHEAD + key.map().length() + key.key().length() + entry.value().length;
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
        long at = ticker.read() + TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        // a time to live of centuries: never, in effect; keep it from wrapping past NEVER's meaning
        return at == NEVER ? NEVER - 1 : at;
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
                    return new Entry(Long.toString(next).getBytes(StandardCharsets.US_ASCII),
                            present ? old.expiresAt() : NEVER);
                });
            } catch (StoreException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(result[0]);
        }

        private long number(String map, String key, byte[] value) {
            String text = new String(value, StandardCharsets.ISO_8859_1);
            if (DECIMAL.matcher(text).matches()) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException e) {
                    // 19 digits past Long.MAX_VALUE: not a number increment can take, as in Redis
                }
            }
            throw new StoreException("shared map '" + map + "': the value of '" + key + "' is not a number: increment"
                    + " needs one (decimal text)");
        }

        @Override
        public long entries() {
            cache.cleanUp();
            return cache.estimatedSize();
        }

        @Override
        public long bytes() {
            return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
        }

        @Override
        public long evictions() {
            return evictions.sum();
        }
    }

    /** Every worker of the cluster is on this host: a message goes straight to them. */
    private static final class Messages implements MessageBus {

        private volatile Sink sink;

        @Override
        public void publish(String topic, byte[] message, int fromWorker) {
            Sink to = sink;
            if (to == null) {
                throw new IllegalStateException("no sink: deliverTo comes before the first publish");
            }
            to.deliver(topic, message, fromWorker);
        }

        @Override
        public void deliverTo(Sink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        @Override
        public long dropped() {
            return 0;
        }
    }

    /** One host: the parent alone decides who leads. */
    private static final class Lease implements HostLease {

        @Override
        public void start(Consumer<Boolean> held) {
            held.accept(true);
        }

        @Override
        public void close() {
        }
    }
}
