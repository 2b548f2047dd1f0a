package io.jcluster.agent.config;

import io.jcluster.agent.balancer.Balancer;

/** Classes that break the options' walls on purpose, for ArchitectureWallsTest: never used. */
public final class WallBreakers {

    private WallBreakers() {
    }

    /** The options knowing the balancer, which knows the options: a cycle, and the foundation reaching up. */
    public static final class KnowsTheBalancer {
        final Balancer balancer = null;
    }
}
