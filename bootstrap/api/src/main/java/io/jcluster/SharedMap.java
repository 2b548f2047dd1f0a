package io.jcluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A map every worker of the cluster sees the same: hosted by the parent (it survives any worker's crash or reload)
 * or, with {@code store=redis://...}, in Redis (shared by several hosts). Keys are strings, values bytes; the
 * {@code String} forms store UTF-8. Every operation is atomic cluster-wide. A value may carry a time to live; an
 * entry may also be evicted when the store is full ({@code store-size}). Calls block until the store answers, at
 * most {@code store-timeout}, and then throw {@link ClusterException}.
 *
 * <p>Outside a cluster the map is an in-process map with the same rules, so an app runs and tests unchanged.
 */
public interface SharedMap {

    /** The map's name as given to {@link Cluster#map}. */
    String name();

    /** The value, or null when there is none (never stored, removed, expired or evicted). */
    byte[] get(String key);

    /** Stores {@code value}, replacing any value and its time to live. */
    void put(String key, byte[] value);

    /** Stores {@code value} for {@code ttl} (at least one millisecond), replacing any value. */
    void put(String key, byte[] value, Duration ttl);

    /** Stores {@code value} only if the key has none; true if it did. {@code ttl} null means no expiry. */
    boolean putIfAbsent(String key, byte[] value, Duration ttl);

    /** Removes the key's value; true if there was one. */
    boolean remove(String key);

    /**
     * Replaces the value with {@code update} only if it equals {@code expected} (null: only if there is none); true
     * if it did. The entry keeps its time to live.
     */
    boolean compareAndSet(String key, byte[] expected, byte[] update);

    /**
     * Adds {@code delta} to the number stored under {@code key} (decimal text; none counts as 0) and returns the new
     * number. The entry keeps its time to live. Throws {@link ClusterException} if the value is not a number.
     */
    long increment(String key, long delta);

    default boolean putIfAbsent(String key, byte[] value) {
        return putIfAbsent(key, value, null);
    }

    default String getString(String key) {
        byte[] value = get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    default void put(String key, String value) {
        put(key, utf8(value));
    }

    default void put(String key, String value, Duration ttl) {
        put(key, utf8(value), ttl);
    }

    default boolean putIfAbsent(String key, String value) {
        return putIfAbsent(key, utf8(value), null);
    }

    default boolean putIfAbsent(String key, String value, Duration ttl) {
        return putIfAbsent(key, utf8(value), ttl);
    }

    default boolean compareAndSet(String key, String expected, String update) {
        return compareAndSet(key, expected == null ? null : utf8(expected), utf8(update));
    }

    /** The number stored under {@code key}, or 0 when there is none. */
    default long getLong(String key) {
        String value = getString(key);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ClusterException("shared map '" + name() + "': the value of '" + key + "' is not a number");
        }
    }

    default long increment(String key) {
        return increment(key, 1);
    }

    private static byte[] utf8(String value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
