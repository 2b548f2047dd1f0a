package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.util.function.Consumer;

/** Starts a process for a slot's id through the {@link ProcessLauncher} and tells who cares when it exits. */
final class Spawner {

    private final ProcessLauncher launcher;
    private final Scheduler scheduler;
    private final Slots slots;
    private volatile Consumer<WorkerProcess> onExit = worker -> { };

    Spawner(ProcessLauncher launcher, Scheduler scheduler, Slots slots) {
        this.launcher = launcher;
        this.scheduler = scheduler;
        this.slots = slots;
    }

    /** Runs on the supervisor's thread after a spawned process exited. */
    void onExit(Consumer<WorkerProcess> handler) {
        onExit = handler;
    }

    /**
     * Forks a process for {@code slot}'s id; the caller decides whether it is the slot's current or pending one.
     * Every worker learns the current count of slots (JCLUSTER_WORKERS).
     */
    WorkerProcess spawn(WorkerSlot slot) throws IOException {
        Process process = launcher.launch(slot.id, slots.count());
        WorkerProcess worker = new WorkerProcess(slot.id, process, scheduler.nanoTime());
        slots.alive.add(worker);
        Log.info("worker " + slot.id + " started (pid " + process.pid() + ")");
        process.onExit().thenAccept(exited -> scheduler.execute(() -> onExit.accept(worker)));
        return worker;
    }
}
