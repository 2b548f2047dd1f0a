package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Upstream;

/**
 * Picks the worker for a request among the candidates: the listener's strategy, wrapped by {@link StickySelection}
 * with sticky=... (as Armeria's StickyEndpointSelectionStrategy wraps another strategy).
 */
interface WorkerSelection {

    /** @param candidates at least one; never modified */
    Backend select(Backend[] candidates, String stickyCookie);

    static WorkerSelection of(Stickiness stickiness, Upstream upstream) {
        // the strategy is asked per request: the listener may change it (reload)
        WorkerSelection balanced = (candidates, cookie) -> upstream.strategy().pick(candidates);
        return stickiness == Stickiness.NONE ? balanced : new StickySelection(stickiness, balanced);
    }
}
