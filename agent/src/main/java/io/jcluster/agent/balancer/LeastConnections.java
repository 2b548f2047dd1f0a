package io.jcluster.agent.balancer;

import java.util.concurrent.ThreadLocalRandom;

final class LeastConnections implements SelectionStrategy {

    @Override
    public Backend pick(Backend[] backends) {
        int count = backends.length;
        // start the scan at a random place so that ties do not all land on the first backend
        int start = count == 1 ? 0 : ThreadLocalRandom.current().nextInt(count);
        Backend best = backends[start];
        long fewest = best.openConnections();
        for (int i = 1; i < count && fewest > 0; i++) {
            Backend candidate = backends[(start + i) % count];
            long open = candidate.openConnections();
            if (open < fewest) {
                best = candidate;
                fewest = open;
            }
        }
        return best;
    }
}
