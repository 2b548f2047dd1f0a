package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Admits at most max-connections clients of one listener at a time; the rest wait in a bounded FIFO queue.
 * Connections come and go on every event loop, so the count and the queue share one lock; it is taken once when
 * a connection arrives and once when it ends, never per byte. Only listeners with a limit have a gate.
 */
final class ConnectionGate {

    private final ConnectionLimit limit;
    private final ListenerStats stats;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private int admitted;

    ConnectionGate(ConnectionLimit limit, ListenerStats stats) {
        this.limit = limit;
        this.stats = stats;
    }

    /**
     * Runs {@code serve} now if a slot is free, later when one frees, or {@code reject} (with the reason) if the
     * queue is full or the wait reached queue-timeout. Called on the client's event loop.
     */
    void admit(Channel client, Runnable serve, Consumer<String> reject) {
        boolean now;
        synchronized (this) {
            now = admitted < limit.maxConnections();
            if (now) {
                admitted++;
            } else if (queue.size() < limit.maxQueue()) {
                Waiter waiter = new Waiter(client, serve, reject);
                queue.add(waiter);
                stats.queueChanged(1);
                waiter.timeout = client.eventLoop().schedule(() -> expire(waiter),
                        limit.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
                client.closeFuture().addListener((ChannelFutureListener) closed -> leave(waiter));
                return;
            }
        }
        if (now) {
            start(client, serve);
        } else {
            reject.accept("max-connections=" + limit.maxConnections() + " reached and its queue of "
                    + limit.maxQueue() + " is full");
        }
    }

    synchronized int waiting() {
        return queue.size();
    }

    private void start(Channel client, Runnable serve) {
        client.closeFuture().addListener((ChannelFutureListener) closed -> release());
        serve.run();
    }

    /** A served connection ended: its slot goes to the longest waiter, or back to the pool. */
    private void release() {
        Waiter next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                admitted--;
                return;
            }
            stats.queueChanged(-1);
        }
        next.timeout.cancel(false);
        next.client.eventLoop().execute(() -> start(next.client, next.serve));
    }

    private void expire(Waiter waiter) {
        if (remove(waiter)) {
            waiter.reject.accept("waited queue-timeout=" + limit.queueTimeout().toMillis() + "ms for one of "
                    + limit.maxConnections() + " connection slots");
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
            stats.queueChanged(-1);
        }
        return removed;
    }

    private static final class Waiter {
        final Channel client;
        final Runnable serve;
        final Consumer<String> reject;
        ScheduledFuture<?> timeout;

        Waiter(Channel client, Runnable serve, Consumer<String> reject) {
            this.client = client;
            this.serve = serve;
            this.reject = reject;
        }
    }
}
