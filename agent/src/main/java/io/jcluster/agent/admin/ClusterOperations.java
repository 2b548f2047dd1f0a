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

    /**
     * Whether the cluster takes traffic now ({@code GET /ready}): at least one worker in rotation and not stopping.
     * This default reads it from {@link #status()}; the agent's parent answers from its own count, which also knows
     * when the stop has begun.
     */
    default Readiness readiness() {
        long ready = status().workers().stream().filter(worker -> worker.state().equals("ready")).count();
        return ready > 0 ? new Readiness(true, "ready: " + ready + " worker(s) in rotation")
                : new Readiness(false, "not ready: no worker in rotation");
    }

    /** {@code GET /ready}'s answer: 200 with the message when ready, else 503. */
    record Readiness(boolean ready, String message) {
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
