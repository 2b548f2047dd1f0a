package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.CacheCounters;
import io.jcluster.agent.http.cache.CachePolicy;
import io.jcluster.agent.http.cache.CacheRequest;
import io.jcluster.agent.http.cache.PendingFill;
import io.jcluster.agent.http.cache.StoredResponse;

/**
 * A request that waits for the response another request is fetching for its key, instead of asking a worker too:
 * answered from that response when it comes and matches, sent to a worker itself otherwise. One per client
 * connection, reused; the fill's callback comes on any thread and is handed to the connection's event loop.
 */
final class CoalescedWait {

    private final Exchange x;
    private final CacheRequest request;
    private final CacheCounters counters;
    private boolean waiting;
    /** Counts the waits, so that the callback of an earlier wait (timed out) does not end a later one. */
    private int round;

    CoalescedWait(Exchange exchange, CacheRequest request, CacheCounters counters) {
        this.x = exchange;
        this.request = request;
        this.counters = counters;
    }

    /** Waits for {@code fill}; false when it has too many waiters already (the request goes to a worker). */
    boolean await(PendingFill fill) {
        int thisRound = ++round;
        if (fill.await(filled -> x.client.executor().execute(() -> resume(thisRound, filled)))) {
            waiting = true;
            return true;
        }
        return false;
    }

    boolean waiting() {
        return waiting;
    }

    /** Whatever the fill brings later is not for this request any more. */
    void stop() {
        waiting = false;
    }

    /** The wait took response-timeout: the request goes to a worker itself. */
    void waitedTooLong() {
        waiting = false;
        counters.miss();
        x.dispatch.dispatch();
    }

    /** On the loop: the fill waited for ended, with the stored response or null. */
    private void resume(int fillRound, StoredResponse filled) {
        if (!waiting || fillRound != round || x.state != Exchange.State.CONNECTING) {
            return; // timed out already, or the client left
        }
        waiting = false;
        long now = CacheLookup.epochSeconds();
        if (filled != null && CachePolicy.varyMatches(request, filled)
                && CachePolicy.reuse(request, filled, now) == CachePolicy.Reuse.FRESH
                && CachedResponses.write(x, filled, CacheLookup.shown(x, CacheStatus.HIT), request.headMethod(),
                !x.keepAlive || x.closing, x.http10, now)) {
            counters.hit();
            counters.coalesced();
            x.answeredFromCache();
            return;
        }
        counters.miss();
        x.dispatch.dispatch();
    }
}
