package io.jcluster.agent.balancer;

import io.jcluster.agent.http.wire.MessageHead;

/** Classes that break the balancer's walls on purpose, for ArchitectureWallsTest: never used. */
public final class WallBreakers {

    private WallBreakers() {
    }

    /** The balancer reading HTTP itself. */
    public static final class KnowsHttp {
        final MessageHead head = null;
    }

    /** Shared mutable state behind everybody's back. */
    public static final class StaticState {
        static int requests;
    }

    /** A way into the jar outside the entry packages. */
    public static final class Main {
        public static void main(String[] args) {
        }
    }
}
