package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.StoreException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The shared maps as Redis string keys {@code jcluster:map:{<name>}:<key>}. The map name sits in a hash tag: names
 * are {@code [A-Za-z0-9._:-]}, never a brace, so the first {@code }} ends the name and no two (map, key) pairs share
 * a Redis key, even when a name or a key holds {@code :}; and a Redis Cluster puts a map's keys in one slot.
 *
 * <p>Each operation is one Redis command (or one Lua script, which Redis runs atomically): put is {@code SET PX},
 * putIfAbsent {@code SET NX PX}, remove {@code DEL}, compareAndSet a script that keeps the entry's time to live
 * ({@code KEEPTTL}: Redis 6.0 or later), increment {@code INCRBY} (which keeps it too). While the connection is
 * down every call fails at once; a call in flight when it breaks fails too, and may or may not have been applied.
 */
final class RedisMaps implements SharedMaps {

    private static final String PREFIX = "jcluster:map:{";

    private final RedisLink<StatefulRedisConnection<String, byte[]>> link;
    private final String store;
    private final Duration timeout;

    RedisMaps(RedisLink<StatefulRedisConnection<String, byte[]>> link, String store, Duration timeout) {
        this.link = link;
        this.store = store;
        this.timeout = timeout;
    }

    /** The Redis key of a map's entry. */
    static String redisKey(String map, String key) {
        return PREFIX + map + "}:" + key;
    }

    @Override
    public CompletableFuture<byte[]> get(String map, String key) {
        return call(map, key, redis -> redis.get(redisKey(map, key)));
    }

    @Override
    public CompletableFuture<Void> put(String map, String key, byte[] value, long ttlMillis) {
        return call(map, key, redis -> ttlMillis > 0
                ? redis.set(redisKey(map, key), value, SetArgs.Builder.px(ttlMillis))
                : redis.set(redisKey(map, key), value)).thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(String map, String key, byte[] value, long ttlMillis) {
        SetArgs ifAbsent = ttlMillis > 0 ? SetArgs.Builder.nx().px(ttlMillis) : SetArgs.Builder.nx();
        return call(map, key, redis -> redis.set(redisKey(map, key), value, ifAbsent)).thenApply("OK"::equals);
    }

    @Override
    public CompletableFuture<Boolean> remove(String map, String key) {
        return call(map, key, redis -> redis.del(redisKey(map, key))).thenApply(removed -> removed > 0);
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(String map, String key, byte[] expected, byte[] update) {
        if (expected == null) {
            // only if absent: an absent entry has no time to live to keep
            return call(map, key, redis -> redis.set(redisKey(map, key), update, SetArgs.Builder.nx()))
                    .thenApply("OK"::equals);
        }
        return script(map, key, redis -> LuaScript.COMPARE_AND_SET.run(redis, redisKey(map, key), expected, update))
                .thenApply(swapped -> swapped == 1);
    }

    @Override
    public CompletableFuture<Long> increment(String map, String key, long delta) {
        return call(map, key, redis -> redis.incrby(redisKey(map, key), delta));
    }

    /** Redis does not say how many entries the maps hold (they are keys among the server's others). */
    @Override
    public long entries() {
        return -1;
    }

    @Override
    public long bytes() {
        return -1;
    }

    /** Redis evicts by its own {@code maxmemory-policy}; jcluster does not see it. */
    @Override
    public long evictions() {
        return 0;
    }

    /** Counting one map's keys would take a SCAN of the whole keyspace: not for every /status. */
    @Override
    public long entries(String map) {
        return -1;
    }

    /** Redis's {@code evicted_keys} (INFO stats) counts the keys of every map and app together. */
    @Override
    public long evictions(String map) {
        return -1;
    }

    private <T> CompletableFuture<T> call(String map, String key,
                                          Function<RedisAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
        return script(map, key, redis -> command.apply(redis).toCompletableFuture());
    }

    private <T> CompletableFuture<T> script(String map, String key,
                                            Function<RedisAsyncCommands<String, byte[]>, CompletableFuture<T>> command) {
        StatefulRedisConnection<String, byte[]> connection = link.connection();
        if (connection == null) {
            return CompletableFuture.failedFuture(unreachable(map));
        }
        CompletableFuture<T> result;
        try {
            result = command.apply(connection.async());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(map, key, e));
        }
        return result.exceptionallyCompose(error -> CompletableFuture.failedFuture(failure(map, key, error)));
    }

    private StoreException unreachable(String map) {
        return new StoreException("shared map '" + map + "': store=" + store + " is unreachable: " + link.reason()
                + " (is Redis up? jcluster reconnects by itself)");
    }

    /** What the app's exception says: why, and what to do. */
    private StoreException failure(String map, String key, Throwable thrown) {
        Throwable error = LuaScript.unwrap(thrown);
        if (error instanceof StoreException e) {
            return e;
        }
        if (error instanceof RedisCommandTimeoutException) {
            return new StoreException("shared map '" + map + "': no answer from store=" + store + " within "
                    + text(timeout) + " (is Redis up?)", error);
        }
        if (error instanceof RedisCommandExecutionException) {
            String message = String.valueOf(error.getMessage());
            if (message.contains("not an integer")) {
                return new StoreException("shared map '" + map + "': the value of '" + key
                        + "' is not a number: increment needs one (decimal text)", error);
            }
            if (message.contains("would overflow")) {
                return new StoreException("shared map '" + map + "': incrementing '" + key
                        + "' overflows a 64-bit number", error);
            }
            if (message.startsWith("WRONGTYPE")) {
                return new StoreException("shared map '" + map + "': the Redis key " + redisKey(map, key)
                        + " holds a value that is not a string (something other than jcluster wrote it)", error);
            }
            return new StoreException("shared map '" + map + "': store=" + store + " refused the call: " + message,
                    error);
        }
        if (!link.up()) {
            return unreachable(map);
        }
        return new StoreException("shared map '" + map + "': store=" + store + " failed: " + LuaScript.unwrap(error)
                .getMessage() + " (a call cut off by a lost connection may or may not have been applied)", error);
    }

    static byte[] decimal(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code 5s}, {@code 500ms}: as the option is written. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
