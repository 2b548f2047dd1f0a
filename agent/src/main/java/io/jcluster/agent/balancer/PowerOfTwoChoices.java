package io.jcluster.agent.balancer;

import java.util.concurrent.ThreadLocalRandom;

final class PowerOfTwoChoices implements SelectionStrategy {

    @Override
    public Backend pick(Backend[] backends) {
        int count = backends.length;
        if (count == 1) {
            return backends[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(count);
        // a second index drawn from the other count-1 slots: two distinct backends without retrying
        int second = (first + 1 + random.nextInt(count - 1)) % count;
        Backend a = backends[first];
        Backend b = backends[second];
        return b.openConnections() < a.openConnections() ? b : a;
    }
}
