package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.time.Duration;

/**
 * Starts each slot's serving process, and after it exits unasked starts another after the {@link RestartPolicy}'s
 * back-off; a slot in a crash loop (the {@link RestartPolicy}'s rule) is given up, and when every slot is, the
 * parent is told (it exits with status 1).
 */
final class CrashRestarts {

    private final RunningConfig config;
    private final Slots slots;
    private final Spawner spawner;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final HealthMonitor health;
    private final Runnable allGivenUp;

    CrashRestarts(RunningConfig config, Slots slots, Spawner spawner, Scheduler scheduler, WorkerRouting routing,
                  HealthMonitor health, Runnable allGivenUp) {
        this.config = config;
        this.slots = slots;
        this.spawner = spawner;
        this.scheduler = scheduler;
        this.routing = routing;
        this.health = health;
        this.allGivenUp = allGivenUp;
        spawner.onExit(this::exited);
    }

    /** Starts {@code slot}'s serving process: at launch, when scaling up, and after a crash (restart-delay). */
    void start(WorkerSlot slot) {
        synchronized (slots.lock) {
            if (slots.stopping() || slot.state == WorkerSlot.State.REMOVED
                    || (slot.current != null && slot.state != WorkerSlot.State.WAITING_TO_RESTART)) {
                return;
            }
            try {
                WorkerProcess worker = spawner.spawn(slot);
                slot.promote(worker);
                health.warnIfNeverReady(worker);
            } catch (IOException e) {
                scheduleRestart(slot, "could not be started (" + Log.describe(e) + ")");
            }
        }
    }

    private void exited(WorkerProcess worker) {
        int status = worker.process.exitValue();
        synchronized (slots.lock) {
            slots.alive.remove(worker);
            worker.state(WorkerProcess.State.STOPPED);
            routing.gone(worker);
            WorkerSlot slot = slots.get(worker.id());
            if (slot != null) {
                slot.lastExitStatus = status;
            }
            String how = "exited with " + ExitStatus.describe(status);
            worker.ready.completeExceptionally(new IllegalStateException(how));
            if (slot == null) {
                return;
            }
            if (slot.pending == worker) {
                slot.pending = null;
                return;
            }
            if (slot.current != worker || slots.stopping() || slot.state == WorkerSlot.State.REMOVED) {
                return; // a replaced or retired process: its successor serves
            }
            scheduleRestart(slot, how);
        }
    }

    private void scheduleRestart(WorkerSlot slot, String what) {
        synchronized (slots.lock) {
            long now = scheduler.nanoTime();
            Duration delay = slot.restarts.afterExit(slot.uptime(now));
            String who = slot.current == null ? "worker " + slot.id : slot.current.toString();
            if (delay == null) {
                slot.state = WorkerSlot.State.GIVEN_UP;
                Log.info(who + " " + what + "; given up: a crash loop (restarted " + config.get().maxRestarts()
                        + " time(s) in a row, none ran " + RestartPolicy.STABLE_UPTIME.toSeconds()
                        + "s; see its output above; fix the cause, or raise max-restarts to keep trying longer)");
                if (slots.allGivenUp()) {
                    allGivenUp.run();
                }
                return;
            }
            slot.state = WorkerSlot.State.WAITING_TO_RESTART;
            Log.info(who + " " + what + "; restarting in " + Supervisor.format(delay));
            scheduler.schedule(delay, () -> start(slot));
        }
    }
}
