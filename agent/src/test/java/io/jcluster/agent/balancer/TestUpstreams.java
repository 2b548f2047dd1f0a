package io.jcluster.agent.balancer;

import io.netty.channel.ChannelHandler;

/** For tests of frontends in other packages: what a channel made by {@link Upstream#connector} starts with. */
public final class TestUpstreams {

    private TestUpstreams() {
    }

    /** The placeholder handler that {@link Upstream#install} replaces. */
    public static ChannelHandler untilConnected() {
        return Listener.UNTIL_CONNECTED;
    }
}
