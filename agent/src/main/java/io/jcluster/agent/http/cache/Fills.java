package io.jcluster.agent.http.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** The fills in progress, one per key at most: where a missing key's requests coalesce ({@link PendingFill}). */
final class Fills {

    /**
     * A fill older than this is abandoned (its filler never completed it: a bug, or a connection lost without its
     * cleanup): the next request for the key fills anew instead of waiting for nothing.
     */
    static final long ABANDONED_FILL_NANOS = 5L * 60 * 1_000_000_000L;

    private final ConcurrentHashMap<String, Fill> byKey = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    Fills(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The fill of {@code key} in progress, or a new one whose {@link PendingFill#filler} is the caller. */
    PendingFill fill(String key) {
        long now = nanoTime.getAsLong();
        while (true) {
            Fill created = new Fill(this, key, now);
            Fill existing = byKey.putIfAbsent(key, created);
            if (existing == null) {
                return created;
            }
            if (now - existing.started < ABANDONED_FILL_NANOS) {
                return existing.waiting;
            }
            // its waiters are told null (they ask a worker); the new fill takes its place
            existing.complete(null);
        }
    }

    /** {@code fill} is over: the next request for its key fills anew. */
    void ended(String key, Fill fill) {
        byKey.remove(key, fill);
    }

    /** Tells every waiter of every fill null (they ask a worker). */
    void endAll() {
        for (Fill fill : byKey.values()) {
            fill.complete(null);
        }
    }
}
