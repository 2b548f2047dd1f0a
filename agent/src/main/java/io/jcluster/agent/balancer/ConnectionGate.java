package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Admits at most max-connections clients of one listener at a time; the rest wait in a bounded FIFO queue. Every
 * listener has one, because a SIGHUP may set, raise, lower or remove the limit while it listens
 * ({@link #limit(ConnectionLimit)}): the count of served connections is kept even while there is no limit.
 *
 * <p>Without a limit a connection costs one volatile read and one atomic increment when it arrives and one decrement
 * when it ends ({@link #pass}); no lock, no allocation (the gate itself is the close listener). With a limit, the
 * queue and the decision share one lock, taken once when a connection arrives, never per byte. A lower limit stops
 * admitting until enough connections have ended, it closes none; a higher one (or none) admits waiters at once.
 */
final class ConnectionGate implements ChannelFutureListener {

    /** The limit now: read once per arriving connection; replaced as a whole. */
    private volatile ConnectionLimit limit;
    private final ListenerStats stats;
    /** Guarded by this. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** Connections admitted and not closed yet. */
    private final AtomicInteger admitted = new AtomicInteger();
    /**
     * The queue's length, readable without the lock: a connection that ends looks at it after counting itself out,
     * a waiter is counted in before the queue looks at the count again, so no freed slot is missed by both.
     */
    private volatile int queued;

    ConnectionGate(ConnectionLimit limit, ListenerStats stats) {
        this.limit = limit;
        this.stats = stats;
    }

    /**
     * From now on connections are admitted by {@code next}; served ones are left alone, waiters keep the
     * queue-timeout they started with, and as many waiters as {@code next} allows are admitted now.
     */
    void limit(ConnectionLimit next) {
        limit = next;
        pump();
    }

    ConnectionLimit limit() {
        return limit;
    }

    /**
     * The fast path: when there is no limit, counts {@code client} in (and out again when it closes) and returns true:
     * serve it. False: call {@link #admit}.
     */
    boolean pass(Channel client) {
        if (limit.limited()) {
            return false;
        }
        admitted.incrementAndGet();
        client.closeFuture().addListener(this);
        return true;
    }

    /**
     * Runs {@code serve} now if a slot is free, later when one frees, or {@code reject} (with the reason) if the
     * queue is full or the wait reached queue-timeout. Called on the client's event loop.
     */
    void admit(Channel client, Runnable serve, Consumer<String> reject) {
        ConnectionLimit now;
        boolean queuedNow = false;
        synchronized (this) {
            now = limit;
            if (!now.limited() || (queue.isEmpty() && admitted.get() < now.maxConnections())) {
                admitted.incrementAndGet();
                now = null;
            } else if (queue.size() < now.maxQueue()) {
                Waiter waiter = new Waiter(client, serve, reject, now);
                queue.add(waiter);
                queued = queue.size();
                stats.queueChanged(1);
                waiter.timeout = client.eventLoop().schedule(() -> expire(waiter),
                        now.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
                client.closeFuture().addListener((ChannelFutureListener) closed -> leave(waiter));
                queuedNow = true;
            }
        }
        if (queuedNow) {
            pump(); // a slot freed while this one was being queued
        } else if (now == null) {
            start(client, serve);
        } else {
            reject.accept("max-connections=" + now.maxConnections() + " reached and its queue of "
                    + now.maxQueue() + " is full");
        }
    }

    synchronized int waiting() {
        return queue.size();
    }

    /** Connections served now (admitted, not closed). */
    int served() {
        return admitted.get();
    }

    private void start(Channel client, Runnable serve) {
        client.closeFuture().addListener(this);
        serve.run();
    }

    /** A served connection ended: its slot goes to the longest waiter, or back to the pool. */
    @Override
    public void operationComplete(ChannelFuture closed) {
        admitted.decrementAndGet();
        if (queued > 0) {
            pump();
        }
    }

    /** Admits waiters, longest first, while the limit allows. */
    private void pump() {
        while (true) {
            Waiter next;
            synchronized (this) {
                ConnectionLimit now = limit;
                if (queue.isEmpty() || (now.limited() && admitted.get() >= now.maxConnections())) {
                    return;
                }
                next = queue.poll();
                queued = queue.size();
                admitted.incrementAndGet();
                stats.queueChanged(-1);
            }
            next.timeout.cancel(false);
            next.client.eventLoop().execute(() -> start(next.client, next.serve));
        }
    }

    private void expire(Waiter waiter) {
        if (remove(waiter)) {
            waiter.reject.accept("waited queue-timeout=" + waiter.limit.queueTimeout().toMillis() + "ms for one of "
                    + waiter.limit.maxConnections() + " connection slots");
        }
    }

    private void leave(Waiter waiter) {
        if (remove(waiter)) {
            waiter.timeout.cancel(false);
        }
    }

    private synchronized boolean remove(Waiter waiter) {
        boolean removed = queue.remove(waiter);
        if (removed) {
            queued = queue.size();
            stats.queueChanged(-1);
        }
        return removed;
    }

    private static final class Waiter {
        final Channel client;
        final Runnable serve;
        final Consumer<String> reject;
        /** The limit it was queued under: its queue-timeout is this one's. */
        final ConnectionLimit limit;
        ScheduledFuture<?> timeout;

        Waiter(Channel client, Runnable serve, Consumer<String> reject, ConnectionLimit limit) {
            this.client = client;
            this.serve = serve;
            this.reject = reject;
            this.limit = limit;
        }
    }
}
