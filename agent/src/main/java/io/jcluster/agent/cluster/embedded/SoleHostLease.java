package io.jcluster.agent.cluster.embedded;

import io.jcluster.agent.cluster.HostLease;

import java.util.function.Consumer;

/** One host: the parent alone decides who leads. */
final class SoleHostLease implements HostLease {

    @Override
    public void start(Consumer<Boolean> held) {
        held.accept(true);
    }

    @Override
    public void close() {
    }
}
