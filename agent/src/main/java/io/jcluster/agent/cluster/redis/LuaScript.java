package io.jcluster.agent.cluster.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script Redis runs atomically, returning an integer: sent by its SHA-1 ({@code EVALSHA}), and in full
 * ({@code EVAL}, which also caches it) only when Redis answers {@code NOSCRIPT} (a restarted or flushed server).
 */
final class LuaScript {

    /** The map entry is replaced only if it holds the expected bytes; {@code KEEPTTL} (Redis 6.0+) keeps its expiry. */
    static final LuaScript COMPARE_AND_SET = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
              return 1
            end
            return 0
            """);

    /** Takes the lease if nobody holds it, or extends it if this parent already does. */
    static final LuaScript ACQUIRE = new LuaScript("""
            local holder = redis.call('GET', KEYS[1])
            if holder == false then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            if holder == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            end
            return 0
            """);

    /** Extends the lease only while this parent's token is in it. */
    static final LuaScript RENEW = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """);

    /** Gives the lease up only if this parent's token is in it (never another host's). */
    static final LuaScript RELEASE = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    private final String source;
    private final String sha;

    LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    CompletableFuture<Long> run(RedisAsyncCommands<String, byte[]> redis, String key, byte[]... arguments) {
        String[] keys = {key};
        return redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, arguments).toCompletableFuture()
                .exceptionallyCompose(error -> unwrap(error) instanceof RedisNoScriptException
                        ? redis.<Long>eval(source, ScriptOutputType.INTEGER, keys, arguments).toCompletableFuture()
                        : CompletableFuture.failedFuture(unwrap(error)));
    }

    String sha() {
        return sha;
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
