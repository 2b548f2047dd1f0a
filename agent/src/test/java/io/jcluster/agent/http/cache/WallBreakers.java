package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.proxy.HttpSettings;
import io.netty.channel.EventLoop;

/** Classes that break the cache's walls on purpose, for ArchitectureWallsTest: never used. */
public final class WallBreakers {

    private WallBreakers() {
    }

    /** Cache code that schedules on an event loop. */
    public static final class UsesTheEventLoop {
        final EventLoop loop = null;
    }

    /** Cache code that reads the proxy's settings. */
    public static final class KnowsTheProxy {
        final HttpSettings settings = null;
    }
}
