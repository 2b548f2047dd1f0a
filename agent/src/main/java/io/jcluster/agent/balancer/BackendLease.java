package io.jcluster.agent.balancer;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * One connection's (in http mode: one request's) claim on a backend, counted in the backend's open connections from
 * the pick until the backend connection closes or the worker finished sending (its FIN: the worker is done with it,
 * even if the client still reads the rest), or the request ends. Released once: a second release counts nothing.
 * Used on one event loop only.
 *
 * <p>Two kinds. A lease made with {@link #BackendLease(Backend)} claims its backend once, for good; whoever keeps
 * it (a backend channel's close listener, a tunnel) may release it whenever. A {@linkplain #reusable() reusable}
 * lease is one owner's (an http connection's), claimed per request with {@link #claim} and released by that owner,
 * so a keep-alive connection allocates no lease per request. Reusing an object is safe only if nobody else holds it
 * past its release: otherwise a late release by the old holder would count down the next request's claim. So a
 * reusable lease is never a close listener ({@link #operationComplete} refuses), and a holder that keeps the claim
 * beyond the owner's request gets its own lease from {@link #handOff} ({@link Tunnel#join} does this).
 */
public final class BackendLease implements GenericFutureListener<Future<? super Void>> {

    private final boolean reusable;
    private Backend backend;

    public BackendLease(Backend backend) {
        this.reusable = false;
        this.backend = backend;
        backend.connectionOpened();
    }

    /** A lease taking over a claim already counted ({@code backend} may be null: nothing claimed). */
    private BackendLease(boolean reusable, Backend backend) {
        this.reusable = reusable;
        this.backend = backend;
    }

    /** A reusable lease claiming nothing yet: its owner {@linkplain #claim claims} it per request. */
    public static BackendLease reusable() {
        return new BackendLease(true, null);
    }

    /**
     * Claims {@code chosen} with this reusable lease. A claim still held is released first, so a missed release
     * never leaks a count.
     *
     * @return this lease
     */
    public BackendLease claim(Backend chosen) {
        if (!reusable) {
            throw new IllegalStateException("a lease made for one backend is not claimed again");
        }
        release();
        chosen.connectionOpened();
        backend = chosen;
        return this;
    }

    /**
     * Moves this lease's claim, uncounted, to a new lease for a holder that keeps it beyond its owner's use (a
     * tunnel, until its backend connection closes). This lease is released (without counting down) and only its
     * owner can claim it again; the new one is the holder's alone.
     *
     * @return the holder's lease, already released if this one held nothing
     */
    BackendLease handOff() {
        BackendLease own = new BackendLease(false, backend);
        backend = null;
        return own;
    }

    boolean isReusable() {
        return reusable;
    }

    /** The backend still claimed, or null once released. */
    public Backend backend() {
        return backend;
    }

    public void release() {
        if (backend != null) {
            backend.connectionClosed();
            backend = null;
        }
    }

    /**
     * As the backend channel's close listener (a lease made for one backend only: a listener holds the lease until
     * the channel closes, past any reuse).
     */
    @Override
    public void operationComplete(Future<? super Void> closed) {
        if (reusable) {
            throw new IllegalStateException("a reusable lease is released by its owner, not by a close listener");
        }
        release();
    }
}
