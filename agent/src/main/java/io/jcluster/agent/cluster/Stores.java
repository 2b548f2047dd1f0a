package io.jcluster.agent.cluster;

import io.jcluster.agent.cluster.embedded.EmbeddedStore;
import io.jcluster.agent.cluster.redis.RedisStore;
import io.jcluster.agent.config.StoreOptions;

import java.util.Map;

/** Opens the store {@code store=} names, in the parent. */
public final class Stores {

    private Stores() {
    }

    /** The password of a Redis store comes from the parent's {@value StoreOptions#PASSWORD_ENVIRONMENT}. */
    public static Store open(StoreOptions options) {
        return open(options, System.getenv());
    }

    static Store open(StoreOptions options, Map<String, String> environment) {
        if (options.location().embedded()) {
            return EmbeddedStore.open(options);
        }
        return RedisStore.open(options.withPassword(environment.get(StoreOptions.PASSWORD_ENVIRONMENT)));
    }
}
