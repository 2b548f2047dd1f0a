package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Upstream;

import java.util.ArrayList;
import java.util.List;

/**
 * When a request goes to a worker again, for the request in progress (one instance per client connection,
 * {@link #reset} per request). A connect that failed sent nothing: any request may go to another worker, and the
 * one that failed is not asked again. A pooled connection the worker closed before answering (typically a
 * kept-alive connection closed just as the request went out) is retried at most {@link #MAX_RESENDS} times, and
 * only for an idempotent request with no body bytes sent (RFC 9110 section 9.2.2): the worker may have acted on it.
 */
final class RetryPolicy {

    /** A request that failed on a worker's connection before any answer is sent again at most this often. */
    static final int MAX_RESENDS = 2;

    private int resends;
    /** The workers a connect failed to for this request; null while none has. */
    private List<Backend> refused;

    void reset() {
        resends = 0;
        refused = null;
    }

    /** The workers this request may still go to. */
    Backend[] candidates(Upstream upstream) {
        return upstream.backendsExcept(refused);
    }

    /** Whether a connect failed for this request already (no worker at all is then a 502, not a 503). */
    boolean anyRefused() {
        return refused != null;
    }

    int refusedCount() {
        return refused == null ? 0 : refused.size();
    }

    void connectFailed(Backend target) {
        if (refused == null) {
            refused = new ArrayList<>(2);
        }
        refused.add(target);
    }

    /** The worker closed its connection before answering: whether to send the request again (counted). */
    boolean resendAfterClose(boolean idempotent, long bodyBytesSent) {
        if (bodyBytesSent == 0 && idempotent && resends < MAX_RESENDS) {
            resends++;
            return true;
        }
        return false;
    }
}
