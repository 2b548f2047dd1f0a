package io.jcluster.agent.cluster;

/** A store operation failed; the message is what the app's ClusterException says (why, and what to do). */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
