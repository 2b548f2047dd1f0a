package io.jcluster.agent.stop;

import io.jcluster.agent.log.Log;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The graceful stop that the agent's parent and the standalone balancer share: the first request (a signal, a
 * failure) fixes the exit status and wakes the waiting main thread, which then stops accepting and lets the open
 * connections finish until shutdown-timeout.
 */
public final class GracefulStop {

    private static final int NOT_STOPPING = -1;

    /** Read when the stop begins; a SIGHUP may change it before ({@link #shutdownTimeout(Duration)}). */
    private volatile Duration shutdownTimeout;
    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicInteger exitStatus = new AtomicInteger(NOT_STOPPING);
    private volatile String reason;

    public GracefulStop(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** shutdown-timeout from now on (a SIGHUP); a stop under way keeps the deadline it began with. */
    public void shutdownTimeout(Duration next) {
        shutdownTimeout = next;
    }

    /** Asks for the stop, to end with {@code status}; returns false when a stop was already under way. */
    public boolean request(int status, String why) {
        if (!exitStatus.compareAndSet(NOT_STOPPING, status)) {
            return false;
        }
        Log.info(why + "; stopping (up to " + shutdownTimeout.toSeconds() + "s for open connections)");
        reason = why;
        requested.countDown();
        return true;
    }

    /** Waits for the first request. */
    public void await() throws InterruptedException {
        requested.await();
    }

    /** Why the stop was asked for ("SIGTERM received"); meaningful once {@link #await} returned. */
    public String reason() {
        return reason;
    }

    /** The status the first request asked for; meaningful once {@link #await} returned. */
    public int exitStatus() {
        return exitStatus.get();
    }

    /** When the open connections' time is up, for a stop that begins now ({@link System#nanoTime()}). */
    public long deadline() {
        return System.nanoTime() + shutdownTimeout.toNanos();
    }

    /**
     * Stops {@code connections} accepting and waits for the open ones until {@code deadlineNanos}; those still open
     * then are left to the caller's close, and said so. Returns how many that is.
     */
    public long drain(Draining connections, long deadlineNanos) throws InterruptedException {
        connections.stopAccepting();
        long open = connections.drain(deadlineNanos);
        if (open > 0) {
            Log.info(open + " connection(s) still open after shutdown-timeout " + shutdownTimeout.toSeconds()
                    + "s; closing them");
        }
        return open;
    }
}
