package io.jcluster.agent.balancer;

import java.util.concurrent.atomic.AtomicLong;

final class RoundRobin implements SelectionStrategy {

    /** A long never wraps in practice; an int would, after 2^31 connections, and skip a turn there. */
    private final AtomicLong next;

    RoundRobin() {
        this(0);
    }

    RoundRobin(long first) {
        this.next = new AtomicLong(first);
    }

    @Override
    public Backend pick(Backend[] backends) {
        return backends[(int) Math.floorMod(next.getAndIncrement(), (long) backends.length)];
    }
}
