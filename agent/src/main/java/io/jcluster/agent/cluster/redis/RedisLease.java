package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.HostLease;
import io.jcluster.agent.log.Log;
import io.lettuce.core.api.StatefulRedisConnection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The host lease as one Redis key, {@value #KEY}, holding the random token of the parent that holds it, with an
 * expiry ({@code ttl}, 5 s). Every {@code ttl/3} the parent asks again: a free key it takes ({@code SET PX} in a
 * script), its own it extends, another host's it leaves. A renewal that fails or has no answer within {@code ttl/3}
 * gives the lease up at once, so this host stops leading at most {@code 2·ttl/3} after its last successful renewal
 * was sent, before the key (extended to at least that send time plus {@code ttl}) can expire and another host take it.
 * Closing deletes the key only if this parent's token is still in it.
 *
 * <p>The caveat of every lease: the bound holds while this parent runs. A parent paused longer than {@code ttl/3}
 * (a stop-the-world pause, a suspended VM) learns it lost the lease only when it runs again, and in between another
 * host may lead too. Work that must never overlap should carry a fencing check of its own.
 *
 * <p>Every state change runs on the store's one scheduler thread, so {@code held} is told in order.
 */
final class RedisLease implements HostLease {

    static final String KEY = "jcluster:leader";
    static final Duration TTL = Duration.ofSeconds(5);

    private final RedisLink<StatefulRedisConnection<String, byte[]>> link;
    private final ScheduledExecutorService scheduler;
    private final long ttlMillis;
    private final byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    private final String store;

    // confined to the scheduler thread
    private Consumer<Boolean> held;
    private boolean holding;
    private boolean asking;
    private boolean closed;
    private ScheduledFuture<?> ticks;

    RedisLease(RedisLink<StatefulRedisConnection<String, byte[]>> link, ScheduledExecutorService scheduler,
               Duration ttl, String store) {
        this.link = link;
        this.scheduler = scheduler;
        this.ttlMillis = ttl.toMillis();
        this.store = store;
    }

    @Override
    public void start(Consumer<Boolean> held) {
        scheduler.execute(() -> {
            if (this.held != null || closed) {
                return;
            }
            this.held = held;
            ticks = scheduler.scheduleAtFixedRate(this::ask, 0, ttlMillis / 3, TimeUnit.MILLISECONDS);
        });
    }

    /** One renewal (or attempt to take it) at a time; the next tick comes after its deadline. */
    private void ask() {
        if (closed || asking) {
            return;
        }
        StatefulRedisConnection<String, byte[]> connection = link.connection();
        if (connection == null) {
            lose("store=" + store + " is unreachable: " + link.reason());
            return;
        }
        asking = true;
        boolean renewing = holding;
        CompletableFuture<Long> answer;
        try {
            answer = (renewing ? LuaScript.RENEW : LuaScript.ACQUIRE)
                    .run(connection.async(), KEY, token, RedisMaps.decimal(ttlMillis));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.orTimeout(ttlMillis / 3, TimeUnit.MILLISECONDS).whenCompleteAsync((granted, error) -> {
            asking = false;
            if (closed) {
                return;
            }
            if (error != null) {
                lose(renewing ? "renewing it failed: " + RedisLink.describe(LuaScript.unwrap(error))
                        + (LuaScript.unwrap(error) instanceof java.util.concurrent.TimeoutException
                        ? " (no answer within " + RedisMaps.text(Duration.ofMillis(ttlMillis / 3)) + ")" : "")
                        : null);
            } else if (granted == 1) {
                if (!holding) {
                    holding = true;
                    held.accept(true);
                }
            } else {
                lose(renewing ? "another host holds " + KEY + " (this parent's expired)" : null);
            }
        }, scheduler);
    }

    /** The command connection went down: give the lease up now rather than at the next renewal. */
    void linkChanged() {
        if (link.up()) {
            return;
        }
        try {
            scheduler.execute(() -> {
                if (!closed && !link.up()) {
                    lose("store=" + store + " is unreachable: " + link.reason());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the store is closing
        }
    }

    /** @param why a log line's reason when this host held the lease; null when it only did not get it */
    private void lose(String why) {
        if (holding) {
            holding = false;
            Log.info("this host gave up leadership (" + KEY + " in " + store + "): "
                    + (why == null ? "lost" : why) + "; it asks again every " + ttlMillis / 3 + "ms");
            held.accept(false);
        }
    }

    /**
     * Tells held(false) if held, then deletes the key if it is still this parent's (also after a renewal that timed
     * out but was applied), waiting at most {@code ttl/3} for Redis.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            scheduler.execute(() -> {
                closed = true;
                if (ticks != null) {
                    ticks.cancel(false);
                }
                boolean wasHolding = holding;
                holding = false;
                if (wasHolding) {
                    held.accept(false);
                }
                StatefulRedisConnection<String, byte[]> connection = link.connection();
                if (connection == null) {
                    done.complete(null);
                    return;
                }
                try {
                    LuaScript.RELEASE.run(connection.async(), KEY, token)
                            .whenComplete((deleted, error) -> done.complete(null));
                } catch (RuntimeException e) {
                    done.complete(null);
                }
            });
            done.get(ttlMillis / 3 + 100, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // shutting down: the key expires by itself within ttl
        }
    }

    /** This parent's token, for tests that look at the key. */
    String token() {
        return new String(token, StandardCharsets.US_ASCII);
    }
}
