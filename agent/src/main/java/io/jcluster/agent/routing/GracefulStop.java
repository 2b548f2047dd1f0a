package io.jcluster.agent.routing;

import io.jcluster.agent.log.Log;

import java.time.Duration;

/** The part of a graceful stop that the agent's parent and the standalone balancer share: stop accepting, drain. */
public final class GracefulStop {

    private GracefulStop() {
    }

    /**
     * Stops {@code connections} accepting and waits for the open ones until {@code deadlineNanos}; those still open
     * then are left to the caller's close, and said so. Returns how many that is.
     */
    public static long drain(Draining connections, Duration shutdownTimeout, long deadlineNanos)
            throws InterruptedException {
        connections.stopAccepting();
        long open = connections.drain(deadlineNanos);
        if (open > 0) {
            Log.info(open + " connection(s) still open after shutdown-timeout " + shutdownTimeout.toSeconds()
                    + "s; closing them");
        }
        return open;
    }
}
