package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.config.StoreOptions;

/** The Cluster API's state in Redis ({@code store=redis://...}). */
public final class RedisStore {

    private RedisStore() {
    }

    /** @param options a Redis location, with the password the parent read from its environment (or none) */
    public static Store open(StoreOptions options) {
        throw new UnsupportedOperationException("store=redis: not built yet");
    }
}
