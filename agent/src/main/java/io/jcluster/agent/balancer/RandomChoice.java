package io.jcluster.agent.balancer;

import java.util.concurrent.ThreadLocalRandom;

final class RandomChoice implements SelectionStrategy {

    @Override
    public Backend pick(Backend[] backends) {
        return backends[ThreadLocalRandom.current().nextInt(backends.length)];
    }
}
