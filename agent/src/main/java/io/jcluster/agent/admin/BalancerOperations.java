package io.jcluster.agent.admin;

import java.util.concurrent.CompletableFuture;

/**
 * What the standalone balancer's admin endpoint can ask of it (HAProxy's runtime API habits): its status, and drain,
 * put back, add or remove one backend at run time. Each backend is named as on the command line, HOST:PORT.
 */
public interface BalancerOperations {

    BalancerStatus status();

    /** No new connections to it; completes once its open ones finished, or when shutdown-timeout passed. */
    CompletableFuture<Outcome> drain(String backend);

    /** Back in rotation after a drain (once a probe connects, if it is down). */
    CompletableFuture<Outcome> ready(String backend);

    /** A new backend, in rotation once a tcp connect to it succeeds. */
    CompletableFuture<Outcome> add(String backend);

    /** Drains it, then forgets it; completes once its connections finished or shutdown-timeout passed. */
    CompletableFuture<Outcome> remove(String backend);

    /**
     * Forgets the cached responses whose path is {@code path} (or starts with it when {@code prefix}); how many
     * went, or -1 when the balancer has no response cache.
     */
    default int purgeCache(String path, boolean prefix) {
        return -1;
    }

    /** How an operation ended, in words a user can act on. */
    record Outcome(Kind kind, String message) {

        public enum Kind {
            /** 200. */
            DONE,
            /** 202: in effect, but not finished within shutdown-timeout (connections still open). */
            UNFINISHED,
            /** 400: the backend is not HOST:PORT. */
            BAD_REQUEST,
            /** 404: no such backend. */
            UNKNOWN,
            /** 409: not now (a backend added twice, put back while being removed). */
            CONFLICT
        }

        public static Outcome of(Kind kind, String message) {
            return new Outcome(kind, message);
        }
    }
}
