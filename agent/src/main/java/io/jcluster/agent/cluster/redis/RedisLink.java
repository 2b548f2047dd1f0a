package io.jcluster.agent.cluster.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One connection to Redis that this class keeps open: it connects, makes the connection ready (a subscription, for
 * the pub/sub link), and when the connection is lost (or was never made: Redis down when the parent starts) tries
 * again, every {@code 100ms} doubling to {@code 2s}, forever, until {@link #close}.
 *
 * <p>Why not Lettuce's own reconnect: Lettuce does not retry a first connection that fails, and its watchdog logs
 * every attempt; this link gives one retry path for both cases and one state change for the store to log. The
 * connection itself runs with Lettuce's auto-reconnect off, so commands in flight when it breaks fail (never run
 * twice after a reconnect: at-most-once), and commands while it is down are rejected at once.
 *
 * @param <C> the kind of connection (commands, or pub/sub)
 */
final class RedisLink<C extends StatefulConnection<String, byte[]>> {

    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration LAST_RETRY = Duration.ofSeconds(2);

    private final String role;
    private final Supplier<CompletionStage<C>> connect;
    private final Function<C, CompletionStage<?>> ready;
    private final ScheduledExecutorService scheduler;
    private final Runnable changed;

    private final AtomicReference<C> connection = new AtomicReference<>();
    private volatile String downReason = "connecting";
    private volatile boolean closed;
    private volatile long retryMillis = FIRST_RETRY.toMillis();

    /**
     * @param role      what this link carries, for log lines ("commands", "messages")
     * @param connect   opens a new connection (asynchronously)
     * @param ready     makes a new connection ready for use; the link is up when it completes
     * @param scheduler runs the retries
     * @param changed   told (from any thread) after the link went up or down
     */
    RedisLink(String role, Supplier<CompletionStage<C>> connect, Function<C, CompletionStage<?>> ready,
              ScheduledExecutorService scheduler, Runnable changed) {
        this.role = role;
        this.connect = connect;
        this.ready = ready;
        this.scheduler = scheduler;
        this.changed = changed;
    }

    /** Starts the first attempt; the returned stage completes when it has succeeded or failed (never fails). */
    CompletionStage<Void> start() {
        return attempt();
    }

    /** The connection while it is up; null while it is down. */
    C connection() {
        return connection.get();
    }

    boolean up() {
        return connection.get() != null;
    }

    /** Why it is down (the last connection error), or "connected". */
    String reason() {
        return up() ? "connected" : downReason;
    }

    String role() {
        return role;
    }

    private CompletionStage<Void> attempt() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<C> opening;
        try {
            opening = connect.get();
        } catch (RuntimeException e) {
            failed(null, e);
            return CompletableFuture.completedFuture(null);
        }
        AtomicReference<C> made = new AtomicReference<>();
        return opening.thenCompose(c -> {
            made.set(c);
            c.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                    lost(c, "connection lost");
                }
            });
            return ready.apply(c).thenApply(ignored -> c);
        }).handle((c, error) -> {
            if (error != null) {
                failed(made.get(), error);
            } else {
                opened(c);
            }
            return null;
        });
    }

    private void opened(C c) {
        if (closed) {
            c.closeAsync();
            return;
        }
        retryMillis = FIRST_RETRY.toMillis();
        connection.set(c);
        if (!c.isOpen()) {
            // lost between ready and now: the listener saw a connection that was not this link's yet
            lost(c, "connection lost");
            return;
        }
        changed.run();
    }

    private void lost(C c, String reason) {
        if (connection.compareAndSet(c, null)) {
            downReason = reason;
            c.closeAsync();
            changed.run();
            retryLater();
        }
    }

    private void failed(C c, Throwable error) {
        if (c != null) {
            c.closeAsync();
        }
        downReason = describe(error);
        changed.run();
        retryLater();
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, LAST_RETRY.toMillis());
        try {
            scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the store is closing
        }
    }

    /** Stops retrying; the connection itself is closed by the client's shutdown (closing it twice is a warning). */
    void close() {
        closed = true;
        connection.set(null);
    }

    /** The innermost message: "Connection refused: /127.0.0.1:6379" rather than Lettuce's "Unable to connect". */
    static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS")) {
            return message + " (give the parent the server's password in JCLUSTER_STORE_PASSWORD)";
        }
        if (message.contains("certification path")) {
            return message + " (the server's certificate is not trusted: add its CA to the parent JVM's trust store,"
                    + " -Djavax.net.ssl.trustStore=...)";
        }
        return message;
    }
}
