package io.jcluster.benchmarks;

import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.embedded.EmbeddedStore;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;

import java.time.Duration;

/** {@link StoreBenchmark} with {@code store=embedded}: the parent's Caffeine store. */
public class EmbeddedStoreBenchmark extends StoreBenchmark {

    @Override
    Store open() {
        return EmbeddedStore.open(new StoreOptions(StoreLocation.EMBEDDED, 64L << 20, Duration.ofSeconds(5),
                256L << 10, null));
    }
}
