package io.jcluster.agent.parent;

import io.jcluster.agent.config.Options;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.stop.GracefulStop;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.stop.StopSignals;
import io.jcluster.agent.supervisor.Supervisor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the parent ends: the first stop request (SIGTERM, SIGINT, a failure) fixes the exit status and wakes the main
 * thread, which drains the connections and stops the workers; a second SIGTERM/SIGINT kills the workers at once.
 * (SIGHUP, SIGTTIN and SIGTTOU: {@link RunTimeSignals}.) In every case no worker outlives this JVM.
 */
final class Shutdown {

    private final GracefulStop graceful;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean signalsHandled;
    private volatile Supervisor supervisor;

    Shutdown(Options options) {
        this.graceful = new GracefulStop(options.supervisor().shutdownTimeout());
    }

    /** Handles SIGTERM and SIGINT from now on (or, without jdk.unsupported, the JVM's shutdown). */
    void handleSignals(Supervisor workers) {
        supervisor = workers;
        signalsHandled = StopSignals.install(this::stopSignal);
        Runtime.getRuntime().addShutdownHook(new Thread(this::jvmShuttingDown, "jcluster-shutdown"));
    }

    /** shutdown-timeout changed (SIGHUP): the next stop drains for {@code timeout}. */
    void shutdownTimeout(java.time.Duration timeout) {
        graceful.shutdownTimeout(timeout);
    }

    /** Returns false when a stop was already under way. */
    boolean request(int status, String why) {
        return graceful.request(status, why);
    }

    /** Waits for the first stop request; returns why it was made. */
    String await() throws InterruptedException {
        graceful.await();
        return graceful.reason();
    }

    /**
     * The graceful stop: no more restarts, no new connections, open ones get until shutdown-timeout, then the workers
     * get SIGTERM. Returns the exit status.
     */
    int stop(Supervisor workers, RoutingMode routing) throws InterruptedException {
        long deadline = graceful.deadline();
        workers.stopRestarting();
        graceful.drain(routing, deadline);
        // workers get at least a second for their shutdown hooks, even when draining used up the timeout
        workers.terminateAll(Math.max(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
        Log.info("stopped");
        return graceful.exitStatus();
    }

    /** The main thread is done with everything it opened. */
    void finished() {
        stopped.countDown();
    }

    private void stopSignal(String signal) {
        if (!request(0, signal + " received")) {
            Log.info(signal + " received again: killing the workers now");
            supervisor.killAll();
            Runtime.getRuntime().halt(1);
        }
    }

    /**
     * Without signal handlers, SIGTERM/SIGINT arrive here: the graceful stop runs on the main thread while this hook
     * waits, then the hook ends the JVM with the right status.
     */
    private void jvmShuttingDown() {
        if (!signalsHandled && request(0, "SIGTERM or SIGINT received")) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            supervisor.killAll();
            Runtime.getRuntime().halt(graceful.exitStatus());
        }
        supervisor.killAll();
    }
}
