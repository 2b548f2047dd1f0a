package io.jcluster.agent.http.wire;

import io.netty.channel.Channel;

/** Classes that break the wire code's walls on purpose, for ArchitectureWallsTest: never used. */
public final class WallBreakers {

    private WallBreakers() {
    }

    /** Framing code that talks to a channel. */
    public static final class TouchesAChannel {
        final Channel channel = null;
    }
}
