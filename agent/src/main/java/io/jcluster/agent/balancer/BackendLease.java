package io.jcluster.agent.balancer;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * One connection's claim on a backend, counted in the backend's open connections from the pick until the backend
 * connection closes or the worker finished sending (its FIN: the worker is done with it, even if the client still
 * reads the rest). Released once; used on one event loop only.
 */
public final class BackendLease implements GenericFutureListener<Future<? super Void>> {

    private Backend backend;

    public BackendLease(Backend backend) {
        this.backend = backend;
        backend.connectionOpened();
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

    /** As the backend channel's close listener. */
    @Override
    public void operationComplete(Future<? super Void> closed) {
        release();
    }
}
