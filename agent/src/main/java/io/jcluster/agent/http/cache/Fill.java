package io.jcluster.agent.http.cache;

import java.util.ArrayList;
import java.util.List;

/** One fill, as its filler sees it; {@link #waiting} is the handle the waiters get (they may not complete it). */
final class Fill implements PendingFill {

    private final Fills fills;
    private final String key;
    final long started;
    final PendingFill waiting = new PendingFill() {
        @Override
        public boolean filler() {
            return false;
        }

        @Override
        public boolean await(Waiter waiter) {
            return Fill.this.await(waiter);
        }

        @Override
        public void complete(StoredResponse stored) {
            throw new IllegalStateException("only the filler completes a fill");
        }
    };
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean done;
    private StoredResponse outcome;

    Fill(Fills fills, String key, long started) {
        this.fills = fills;
        this.key = key;
        this.started = started;
    }

    @Override
    public boolean filler() {
        return true;
    }

    @Override
    public boolean await(Waiter waiter) {
        StoredResponse known;
        synchronized (this) {
            if (!done) {
                if (waiters.size() >= ResponseCache.MAX_WAITERS) {
                    return false;
                }
                waiters.add(waiter);
                return true;
            }
            known = outcome;
        }
        waiter.filled(known);
        return true;
    }

    @Override
    public void complete(StoredResponse stored) {
        fills.ended(key, this);
        Waiter[] told;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            outcome = stored;
            told = waiters.toArray(Waiter[]::new);
            waiters.clear();
        }
        for (Waiter waiter : told) {
            waiter.filled(stored);
        }
    }
}
