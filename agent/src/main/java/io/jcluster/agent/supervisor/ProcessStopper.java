package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Stops a worker process: SIGTERM (its shutdown hooks run), then SIGKILL if it has not exited within a grace.
 *
 * <p>The signals go through the process's {@link ProcessHandle}, never {@link Process#destroy()}: on Linux the JDK's
 * Process.destroy and destroyForcibly also close the parent's ends of the worker's stdout and stderr pipes, so the
 * {@link OutputRelay}s would end at the signal and every line the worker writes while it stops (its shutdown hooks,
 * Tomcat's "Stopping service") would be lost, along with what was still in the pipe; a worker that is not a JVM
 * (a script) would even die of SIGPIPE.
 */
final class ProcessStopper {

    /** How long after SIGKILL a process is waited for before the stop counts as done anyway. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private final Scheduler scheduler;
    private final WorkerRouting routing;

    ProcessStopper(Scheduler scheduler, WorkerRouting routing) {
        this.scheduler = scheduler;
        this.routing = routing;
    }

    /** SIGTERM, then SIGKILL if {@code worker} has not exited within {@code grace}; completes once it exited. */
    CompletableFuture<Void> stop(WorkerProcess worker, Duration grace) {
        routing.stopping(worker);
        Process process = worker.process;
        CompletableFuture<Void> exited = new CompletableFuture<>();
        process.onExit().thenRun(() -> exited.complete(null));
        terminate(process);
        scheduler.schedule(grace, () -> {
            if (process.isAlive()) {
                Log.info(worker + " did not exit within " + Supervisor.format(grace) + " of SIGTERM; killing it");
                forcibly(process);
                scheduler.schedule(AFTER_KILL, () -> exited.complete(null));
            }
        });
        return exited;
    }

    /** SIGKILL, now. */
    static void kill(WorkerProcess worker) {
        if (worker.process.isAlive()) {
            forcibly(worker.process);
        }
    }

    /** SIGTERM, leaving its output pipes open for the relays. */
    static void terminate(Process process) {
        process.toHandle().destroy();
    }

    /** SIGKILL, leaving its output pipes open: what it wrote before is still relayed. */
    static void forcibly(Process process) {
        process.toHandle().destroyForcibly();
    }
}
