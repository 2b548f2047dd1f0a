package io.jcluster.bootstrap;

/**
 * Where the session adapters (jcluster-sessions, loaded beside each server's own classes) reach the worker's shared
 * session store. It lives on the boot class path because every server's class loader can see it, whatever loader
 * (Tomcat's common loader, Spring Boot's launcher, a plain class path) loaded the server. Until a worker started
 * with {@code sessions=shared} installs a {@link Store}, {@link #store()} is null and the adapters leave the server
 * alone.
 */
public final class SharedSessions {

    /**
     * The cluster's session records, one per session, keyed by the server's context (its path) and the session id.
     * A record is opaque bytes here (the adapters' {@code SessionRecord}). Every call may throw a
     * {@code io.jcluster.ClusterException} when the store does not answer within {@code store-timeout}.
     */
    public interface Store {

        /** The record of session {@code id} of {@code context}, or null when the cluster has none. */
        byte[] load(String context, String id);

        /**
         * Stores the record, replacing any (the last writer wins, per session). The store forgets it after
         * {@code keepSeconds} without another save (0: never), so a session nobody touches again does not stay for
         * ever. Returns false, having counted and warned as {@link #keptLocal} does, when the record is larger than
         * {@code max-message}: the session then stays in this worker's memory only.
         */
        boolean save(String context, String id, byte[] record, long keepSeconds);

        /** Forgets the record (the session was invalidated or expired). */
        void remove(String context, String id);

        /**
         * A session that cannot be shared (an attribute is not serializable, or the record is larger than
         * {@code max-message}): it stays in the memory of this worker only. Counted; the first time per context and
         * reason the worker logs one warning that names it.
         *
         * @param server    "tomcat", "jetty" or "undertow"
         * @param reason    what is wrong, naming the attribute and its class, or the size
         */
        void keptLocal(String server, String context, String reason);

        /** A line for the worker's stderr (prefixed "[jcluster] worker N: "), for what the adapters must say. */
        void log(String line);
    }

    private static volatile Store store;

    private SharedSessions() {
    }

    /** The worker's store, installed before the app's main runs; null outside a worker with sessions=shared. */
    public static Store store() {
        return store;
    }

    public static void install(Store installed) {
        store = installed;
    }
}
