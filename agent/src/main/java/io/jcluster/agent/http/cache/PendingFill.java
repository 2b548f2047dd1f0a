package io.jcluster.agent.http.cache;

/**
 * Request coalescing: the one request that is fetching a key from a worker, and the requests that wait for it
 * instead of asking a worker too. The first to ask for a missing key becomes the filler; the others
 * {@link #await} (bounded: at most {@link ResponseCache#MAX_WAITERS} per key; more go to a worker themselves). When
 * the filler's response is stored, every waiter is called back with it; when it is not storable or fails, every
 * waiter is called back with null and goes to a worker itself. Callbacks run on whatever thread ends the fill: a
 * waiter hands them to its own event loop.
 */
public interface PendingFill {

    /** A request waiting for the fill. */
    interface Waiter {
        /** The stored response, or null: ask a worker. */
        void filled(StoredResponse stored);
    }

    /** True for the request that must fetch; false for one that may {@link #await}. */
    boolean filler();

    /** Waits for the filler's outcome; false when the fill has too many waiters already (go to a worker). */
    boolean await(Waiter waiter);

    /** The filler stored its response (or null: nothing stored); calls every waiter back, once. */
    void complete(StoredResponse stored);
}
