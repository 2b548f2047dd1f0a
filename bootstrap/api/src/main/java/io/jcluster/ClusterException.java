package io.jcluster;

/**
 * A cluster operation could not be done: the store did not answer within {@code store-timeout}, is unreachable, or
 * refused the operation (the message says which and what to do). Nothing was changed unless the message says so: a
 * timed-out write may still be applied later.
 */
public class ClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
