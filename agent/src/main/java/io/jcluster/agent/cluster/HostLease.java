package io.jcluster.agent.cluster;

import java.util.function.Consumer;

/**
 * Whether one of this host's workers may lead. Embedded: always (the parent alone decides). Redis: while this
 * parent holds the lease key, renewed well before it expires; when a renewal fails the host gives leadership up at
 * once, before the key can expire and another host take it.
 */
public interface HostLease extends AutoCloseable {

    /** {@code held} is told true when the host gains the lease, false when it loses it; from any thread. */
    void start(Consumer<Boolean> held);

    /** Gives the lease up (at shutdown), so another host takes it without waiting for expiry. */
    @Override
    void close();
}
