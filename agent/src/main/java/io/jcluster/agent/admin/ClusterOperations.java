package io.jcluster.agent.admin;

import java.util.concurrent.CompletableFuture;

/** What the admin endpoint can ask of the cluster; the parent implements it. */
public interface ClusterOperations {

    ClusterStatus status();

    CompletableFuture<Result> reload();

    CompletableFuture<Result> scale(int processes);

    CompletableFuture<Result> restart(int workerId);

    /**
     * Forgets the cached responses whose path is {@code path} (or starts with it when {@code prefix}), here and, with
     * a shared store, on every other host; how many went here, or -1 when there is no response cache.
     */
    default int purgeCache(String path, boolean prefix) {
        return -1;
    }

    /** How an operation ended, and in words a user can act on. */
    record Result(Status status, String message) {

        public enum Status {
            DONE,
            FAILED,
            /** Not started: another operation was running. */
            BUSY
        }
    }
}
