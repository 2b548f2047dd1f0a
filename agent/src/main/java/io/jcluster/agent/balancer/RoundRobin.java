package io.jcluster.agent.balancer;

import java.util.concurrent.atomic.AtomicInteger;

final class RoundRobin implements SelectionStrategy {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Backend pick(Backend[] backends) {
        // floorMod keeps the turn order right when the counter wraps past Integer.MAX_VALUE
        return backends[Math.floorMod(next.getAndIncrement(), backends.length)];
    }
}
