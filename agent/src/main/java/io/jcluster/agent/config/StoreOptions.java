package io.jcluster.agent.config;

import java.time.Duration;

/**
 * Where the Cluster API keeps its state and its limits ({@code store=}, {@code store-size=}, {@code store-timeout=},
 * {@code max-message=}). The Redis password is not an option: the parent reads it from {@value #PASSWORD_ENVIRONMENT}
 * when it opens the store ({@code Stores.open}, {@link #withPassword}), and the variable is removed from the
 * workers' environment; parsing never reads the environment, so the options a worker parses carry none.
 *
 * @param location   embedded, or a Redis server
 * @param sizeBytes  {@code store-size=}: the embedded store's bound, in bytes
 * @param timeout    {@code store-timeout=}: how long a shared map call waits for the store
 * @param maxMessage {@code max-message=}: the largest message or map value, in bytes
 * @param password   the Redis password; null when none (always null as parsed)
 * @param sharedSessions {@code sessions=shared}: the servlet sessions of the workers live in the store
 */
public record StoreOptions(StoreLocation location, long sizeBytes, Duration timeout, long maxMessage, String password,
                           boolean sharedSessions) {

    /** Where the parent finds the Redis password; removed from every worker's environment. */
    public static final String PASSWORD_ENVIRONMENT = "JCLUSTER_STORE_PASSWORD";

    /** The most {@code max-message=} may be: every message crosses the control channel as one frame. */
    public static final long MAX_MESSAGE_LIMIT = 8L << 20;

    /**
     * What an embedded entry weighs besides its value, at most: a 1024-byte key held as UTF-16 (2048), a 200-character
     * map name (400) and the per-entry overhead (248, EmbeddedStore's); store-size leaves room for one such entry.
     */
    static final long ENTRY_ROOM = 4096;

    /** Without shared sessions. */
    public StoreOptions(StoreLocation location, long sizeBytes, Duration timeout, long maxMessage, String password) {
        this(location, sizeBytes, timeout, maxMessage, password, false);
    }

    /** The same, with the password the parent read from its environment (null or empty: none). */
    public StoreOptions withPassword(String secret) {
        return new StoreOptions(location, sizeBytes, timeout, maxMessage,
                secret == null || secret.isEmpty() ? null : secret, sharedSessions);
    }

    /** Without the password: records print every component, and options get logged. */
    @Override
    public String toString() {
        return "StoreOptions[location=" + location + ", sizeBytes=" + sizeBytes + ", timeout=" + timeout
                + ", maxMessage=" + maxMessage + ", password=" + (password == null ? "none" : "<hidden>")
                + ", sharedSessions=" + sharedSessions + "]";
    }
}
