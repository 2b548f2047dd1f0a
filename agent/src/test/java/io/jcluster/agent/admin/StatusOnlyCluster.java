package io.jcluster.agent.admin;

import java.util.concurrent.CompletableFuture;

/** A cluster for the admin endpoint's tests that only reports: its operations are not what they test. */
abstract class StatusOnlyCluster implements ClusterOperations {

    @Override
    public CompletableFuture<Result> reload() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Result> scale(int processes) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Result> restart(int workerId) {
        throw new UnsupportedOperationException();
    }
}
