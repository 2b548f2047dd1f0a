package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Stops a worker process: SIGTERM (its shutdown hooks run), then SIGKILL if it has not exited within a grace. */
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
        process.destroy();
        scheduler.schedule(grace, () -> {
            if (process.isAlive()) {
                Log.info(worker + " did not exit within " + Supervisor.format(grace) + " of SIGTERM; killing it");
                process.destroyForcibly();
                scheduler.schedule(AFTER_KILL, () -> exited.complete(null));
            }
        });
        return exited;
    }

    /** SIGKILL, now. */
    static void kill(WorkerProcess worker) {
        if (worker.process.isAlive()) {
            worker.process.destroyForcibly();
        }
    }
}
