package io.jcluster.agent.balancer;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code tcp-idle-timeout}: closes a relayed connection, both sides, once no byte moved in either direction for the
 * timeout (HAProxy's {@code timeout client}/{@code timeout server} in tcp mode, as one).
 *
 * <p>The relay counts its reads anyway ({@link ProxiedConnection#reads()}); this samples that count every quarter of
 * the timeout on the connection's own event loop, so the relay's hot path pays nothing for it: no clock read and no
 * timer moved per read, no allocation. (Netty's {@code IdleStateHandler} would read the clock on every read batch
 * and wrap every write's void promise in a listener, an allocation per write.) The price is precision: a connection
 * is closed after between 1 and 1.25 timeouts of silence, never before one.
 */
final class IdleTimeout implements Runnable, GenericFutureListener<Future<? super Void>> {

    private final ProxiedConnection connection;
    private final long timeoutNanos;
    private final long periodNanos;
    private final LongSupplier clock;
    private int readsAtCheck;
    /** Nothing moved since this time (a sample at which the count had moved, or the start). */
    private long quietSince;
    private ScheduledFuture<?> next;

    IdleTimeout(ProxiedConnection connection, long timeoutNanos, LongSupplier clock) {
        this.connection = connection;
        this.timeoutNanos = timeoutNanos;
        this.periodNanos = Math.max(1, timeoutNanos / 4);
        this.clock = clock;
        this.readsAtCheck = connection.reads();
        this.quietSince = clock.getAsLong();
    }

    /** Starts watching {@code connection}; call on its event loop. The watch ends when the client channel closes. */
    static void watch(ProxiedConnection connection, long timeoutNanos) {
        IdleTimeout timeout = new IdleTimeout(connection, timeoutNanos, System::nanoTime);
        timeout.schedule();
        connection.client.closeFuture().addListener(timeout);
    }

    private void schedule() {
        next = connection.client.eventLoop().schedule(this, periodNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        if (connection.client.isOpen() && !check(clock.getAsLong())) {
            schedule();
        }
    }

    /** One sample; closes the connection and returns true when it has been quiet for the timeout. */
    boolean check(long now) {
        int reads = connection.reads();
        if (reads != readsAtCheck) {
            readsAtCheck = reads;
            quietSince = now; // the last read was at or before now: never closes early
            return false;
        }
        if (now - quietSince < timeoutNanos) {
            return false;
        }
        connection.closeNow();
        return true;
    }

    /** The client channel closed: the pending sample is of no use (and would keep the connection reachable). */
    @Override
    public void operationComplete(Future<? super Void> closed) {
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
