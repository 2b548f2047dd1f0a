package io.jcluster.agent.admin;

import java.util.concurrent.CompletableFuture;

/** What the admin endpoint can ask of the cluster; the parent implements it. */
public interface ClusterOperations {

    ClusterStatus status();

    CompletableFuture<Result> reload();

    CompletableFuture<Result> scale(int processes);

    CompletableFuture<Result> restart(int workerId);

    /** How an operation ended; {@code busy} when another one was running and this one did not start. */
    record Result(boolean ok, boolean busy, String message) {
    }
}
