package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;

/**
 * sticky=...: a request whose cookie pins it to a worker among the candidates goes there; any other request (no
 * cookie, or its worker out of rotation or already tried) is left to the wrapped selection.
 */
final class StickySelection implements WorkerSelection {

    private final Stickiness stickiness;
    private final WorkerSelection otherwise;

    StickySelection(Stickiness stickiness, WorkerSelection otherwise) {
        this.stickiness = stickiness;
        this.otherwise = otherwise;
    }

    @Override
    public Backend select(Backend[] candidates, String stickyCookie) {
        Backend pinned = stickyCookie == null ? null : stickiness.route(stickyCookie, candidates);
        return pinned != null ? pinned : otherwise.select(candidates, stickyCookie);
    }
}
