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

    /**
     * A 64-bit number in Redis's INCRBY grammar (string2ll in Redis's util.c): an optional '-', then "0" alone or
     * digits without a leading zero; no '+', no spaces, no "-0". Read from the bytes, without a String or a regex:
     * increment is the shared map's hottest call.
     *
     * @throws NumberFormatException when the bytes are not such a number, or it does not fit in 64 bits
     */
    static long parseDecimal(byte[] text) {
        int length = text.length;
        boolean negative = length > 0 && text[0] == '-';
        int i = negative ? 1 : 0;
        if (i >= length || length > 20 || text[i] == '0' && length > 1) {
            throw new NumberFormatException();
        }
        // accumulate negatively: Long.MIN_VALUE has no positive twin
        long result = 0;
        for (; i < length; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9 || result < Long.MIN_VALUE / 10) {
                throw new NumberFormatException();
            }
            result *= 10;
            if (result < Long.MIN_VALUE + digit) {
                throw new NumberFormatException();
            }
            result -= digit;
        }
        if (!negative && result == Long.MIN_VALUE) {
            throw new NumberFormatException();
        }
        return negative ? result : -result;
    }

    /** {@code number} as decimal ASCII, written straight into the value's array. */
    static byte[] decimal(long number) {
        if (number == Long.MIN_VALUE) {
            return "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
        }
        long rest = Math.abs(number);
        int digits = 1;
        for (long bound = 10; digits < 19 && rest >= bound; bound *= 10) {
            digits++;
        }
        int sign = number < 0 ? 1 : 0;
        byte[] text = new byte[sign + digits];
        if (sign == 1) {
            text[0] = '-';
        }
        for (int i = text.length - 1; i >= sign; i--) {
            text[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return text;
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
                    return new Entry(decimal(next), present ? old.expiresAt() : NEVER);
                });
            } catch (StoreException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(result[0]);
        }

        private long number(String map, String key, byte[] value) {
            try {
                return parseDecimal(value);
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
