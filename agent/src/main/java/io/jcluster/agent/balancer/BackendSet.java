package io.jcluster.agent.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The backends of one listener. Readers (every new connection) take the current array without locking;
 * the rare writers (a worker came or went) replace it whole.
 */
final class BackendSet {

    private static final Backend[] NONE = new Backend[0];

    private volatile Backend[] backends = NONE;

    Backend[] snapshot() {
        return backends;
    }

    synchronized void add(Backend backend) {
        List<Backend> next = new ArrayList<>(List.of(backends));
        next.removeIf(b -> b.owner() == backend.owner() && b.address().equals(backend.address()));
        next.add(backend);
        backends = next.toArray(NONE);
    }

    /** Removes what matches; returns whether anything was removed. */
    synchronized boolean removeIf(Predicate<Backend> doomed) {
        List<Backend> next = new ArrayList<>(List.of(backends));
        boolean removed = next.removeIf(doomed);
        if (removed) {
            backends = next.toArray(NONE);
        }
        return removed;
    }
}
