package io.jcluster.agent.parent;

import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.embedded.EmbeddedStore;
import io.jcluster.agent.cluster.redis.RedisStore;
import io.jcluster.agent.config.StoreOptions;

import java.util.Map;

/**
 * Opens the store {@code store=} names, in the parent. Here, in the entry point's wiring, and not in the cluster
 * package: the stores implement that package's interfaces, so choosing among them there would make a cycle.
 */
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
