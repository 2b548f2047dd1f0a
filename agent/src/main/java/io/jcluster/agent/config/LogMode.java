package io.jcluster.agent.config;

/** How worker output reaches the user. */
public enum LogMode {
    /** The parent relays each worker line prefixed with [w<id>]. */
    PREFIX,
    /** Workers write straight to the parent's stdout and stderr. */
    INHERIT
}
