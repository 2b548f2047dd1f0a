package io.jcluster.agent.stop;

/**
 * Whatever takes client connections and must let them finish at shutdown: a routing mode in the agent's parent, the
 * standalone balancer's listeners. {@link GracefulStop} drives it.
 */
public interface Draining {

    /** Takes no new connection from now on; open ones continue. */
    void stopAccepting();

    /** Waits until no connection is open, or the deadline ({@link System#nanoTime()}); returns how many still are. */
    long drain(long deadlineNanos) throws InterruptedException;
}
