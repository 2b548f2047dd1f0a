package io.jcluster.spi;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The single-process store behind every {@link SharedMap} of {@link LocalCluster}: one map of (map name, key) to
 * entries, bounded like the embedded store ({@code store-size} bytes, counting each entry's key in UTF-8 plus its
 * value) and evicting the least recently used entry when over it. An entry with a time to live is dropped when it is
 * next touched after it expired (lazy expiry); until then it counts against the bound and is evicted like any other.
 *
 * <p>One process, so one lock is enough: a {@link LinkedHashMap} in access order under {@code this} makes every
 * operation atomic, as the cluster's stores are, and keeps the LRU order for free. Values are copied in and out, so
 * an app that changes an array after {@code put} or after {@code get} changes nothing stored.
 */
final class LocalMaps {

    private final LongSupplier nanoTime;
    private final long maxBytes;
    private final long maxMessage;

    /** Guarded by {@code this}. */
    private final LinkedHashMap<EntryKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** Guarded by {@code this}: the sum of the entries' weights. */
    private long bytes;
    /** Guarded by {@code this}. */
    private long evictions;

    LocalMaps(LongSupplier nanoTime, long maxBytes, long maxMessage) {
        this.nanoTime = nanoTime;
        this.maxBytes = maxBytes;
        this.maxMessage = maxMessage;
    }

    /** A view of the map named {@code name} (validated); views are cheap and hold no entries themselves. */
    SharedMap map(String name) {
        return new View(ApiChecks.mapName(name));
    }

    synchronized long entries() {
        return entries.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long evictions() {
        return evictions;
    }

    private record EntryKey(String map, String key) {
    }

    /** {@code expires} false: no time to live, {@code expiresAt} unused. */
    private record Entry(byte[] value, boolean expires, long expiresAt, long weight) {

        boolean expiredAt(long now) {
            return expires && now - expiresAt >= 0;
        }
    }

    /** The live entry of {@code key}, dropping it if it expired. Caller holds the lock. */
    private Entry live(EntryKey key) {
        Entry entry = entries.get(key);
        if (entry != null && entry.expiredAt(nanoTime.getAsLong())) {
            drop(key);
            return null;
        }
        return entry;
    }

    /** Caller holds the lock. */
    private void store(EntryKey key, byte[] value, boolean expires, long expiresAt) {
        Entry entry = new Entry(value, expires, expiresAt, weight(key.key(), value));
        Entry old = entries.put(key, entry);
        if (old != null) {
            bytes -= old.weight();
        }
        bytes += entry.weight();
        evictOverBound();
    }

    /** Caller holds the lock. */
    private void drop(EntryKey key) {
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.weight();
        }
    }

    /** Least recently used first: the head of an access-ordered LinkedHashMap. Caller holds the lock. */
    private void evictOverBound() {
        Iterator<Map.Entry<EntryKey, Entry>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().weight();
            eldest.remove();
            evictions++;
        }
    }

    private long expiresAt(Duration ttl) {
        return nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(ApiChecks.ttl(ttl));
    }

    private static long weight(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
    }

    private final class View implements SharedMap {

        private final String name;

        View(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public byte[] get(String key) {
            EntryKey at = at(key);
            synchronized (LocalMaps.this) {
                Entry entry = live(at);
                return entry == null ? null : entry.value().clone();
            }
        }

        @Override
        public void put(String key, byte[] value) {
            EntryKey at = at(key);
            byte[] copy = checkedCopy(key, value);
            synchronized (LocalMaps.this) {
                store(at, copy, false, 0);
            }
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            EntryKey at = at(key);
            byte[] copy = checkedCopy(key, value);
            long expiresAt = expiresAt(ttl);
            synchronized (LocalMaps.this) {
                store(at, copy, true, expiresAt);
            }
        }

        @Override
        public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
            EntryKey at = at(key);
            byte[] copy = checkedCopy(key, value);
            boolean expires = ttl != null;
            long expiresAt = expires ? expiresAt(ttl) : 0;
            synchronized (LocalMaps.this) {
                if (live(at) != null) {
                    return false;
                }
                store(at, copy, expires, expiresAt);
                return true;
            }
        }

        @Override
        public boolean remove(String key) {
            EntryKey at = at(key);
            synchronized (LocalMaps.this) {
                if (live(at) == null) {
                    return false;
                }
                drop(at);
                return true;
            }
        }

        @Override
        public boolean compareAndSet(String key, byte[] expected, byte[] update) {
            EntryKey at = at(key);
            byte[] copy = checkedCopy(key, update);
            synchronized (LocalMaps.this) {
                Entry entry = live(at);
                if (entry == null ? expected != null : !Arrays.equals(entry.value(), expected)) {
                    return false;
                }
                if (entry == null) {
                    store(at, copy, false, 0);
                } else {
                    store(at, copy, entry.expires(), entry.expiresAt());
                }
                return true;
            }
        }

        @Override
        public long increment(String key, long delta) {
            EntryKey at = at(key);
            synchronized (LocalMaps.this) {
                Entry entry = live(at);
                long sum;
                try {
                    sum = Math.addExact(entry == null ? 0 : counter(key, entry.value()), delta);
                } catch (ArithmeticException e) {
                    throw new ClusterException("shared map '" + name + "': adding " + delta + " to the value of '"
                            + key + "' would overflow a 64-bit number");
                }
                byte[] text = Long.toString(sum).getBytes(StandardCharsets.US_ASCII);
                if (entry == null) {
                    store(at, text, false, 0);
                } else {
                    store(at, text, entry.expires(), entry.expiresAt());
                }
                return sum;
            }
        }

        @Override
        public String toString() {
            return "shared map '" + name + "' (single process)";
        }

        private EntryKey at(String key) {
            return new EntryKey(name, ApiChecks.key(key));
        }

        private byte[] checkedCopy(String key, byte[] value) {
            Objects.requireNonNull(value, "value");
            return ApiChecks.size("value of '" + key + "'", value, maxMessage).clone();
        }

        /** Decimal text as Redis INCRBY reads it: an optional '-', digits, no leading zero, within a long. */
        private long counter(String key, byte[] value) {
            String text = new String(value, StandardCharsets.US_ASCII);
            boolean canonical = !text.isEmpty() && text.length() <= 20
                    && text.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
            if (canonical) {
                try {
                    long number = Long.parseLong(text);
                    if (Long.toString(number).equals(text)) {
                        return number;
                    }
                } catch (NumberFormatException ignored) {
                    // not a 64-bit number: reported below
                }
            }
            throw new ClusterException("shared map '" + name + "': the value of '" + key + "' is not a number, so "
                    + "increment cannot add to it (increment needs decimal text such as 42; put the number as text "
                    + "or remove the key first)");
        }
    }
}
