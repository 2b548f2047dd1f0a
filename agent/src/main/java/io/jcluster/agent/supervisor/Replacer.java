package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Replaces a slot's serving process by a fresh one. Only the {@link OperationQueue}'s current operation can ask
 * (it holds the {@link OperationQueue.Turn}), so replacements never overlap.
 */
final class Replacer {

    enum Mode {
        /** The replacement must be ready before the old process leaves rotation (reload, restart, max-memory). */
        READY_FIRST,
        /** The old process is already out of rotation (it failed its health probes): stop it now. */
        IMMEDIATE
    }

    /** How long a process stopped while no client depends on it (a replacement that failed) gets after SIGTERM. */
    static final Duration SHORT_GRACE = Duration.ofSeconds(2);
    private static final Duration UNHEALTHY_GRACE = Duration.ofSeconds(5);
    private static final Duration RETIRED_GRACE = Duration.ofSeconds(10);
    private static final Duration DRAIN_START = Duration.ofMillis(100);
    private static final Duration DRAIN_POLL = Duration.ofMillis(200);

    private final RunningConfig config;
    private final Slots slots;
    private final Spawner spawner;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final HealthMonitor health;
    private final ProcessStopper stopper;

    Replacer(RunningConfig config, Slots slots, Spawner spawner, Scheduler scheduler, WorkerRouting routing,
             HealthMonitor health, ProcessStopper stopper) {
        this.config = config;
        this.slots = slots;
        this.spawner = spawner;
        this.scheduler = scheduler;
        this.routing = routing;
        this.health = health;
        this.stopper = stopper;
    }

    /**
     * Replaces {@code slot}'s process if it still is {@code expected} (null: whichever serves; a null slot was
     * scaled away). READY_FIRST: if the replacement is not ready within ready-timeout it is stopped and the old
     * process keeps serving. IMMEDIATE: {@code expected}, already out of rotation, is stopped in any case.
     */
    CompletableFuture<Outcome> replace(OperationQueue.Turn turn, WorkerSlot slot, WorkerProcess expected, String why,
                                       Mode mode) {
        if (turn == null) {
            throw new IllegalArgumentException("a replacement runs only as the operation queue's current operation");
        }
        return mode == Mode.READY_FIRST ? readyFirst(slot, expected, why) : immediately(slot, expected, why);
    }

    /** Why {@code slot}'s process is not to be replaced now, or null. Called under the lock. */
    private Outcome refusal(WorkerSlot slot, WorkerProcess expected) {
        if (slot == null) {
            return Outcome.done(expected + " was scaled away");
        }
        if (slots.stopping()) {
            return Outcome.failed("the cluster is stopping");
        }
        if (slot.state == WorkerSlot.State.REMOVED) {
            return Outcome.failed("worker " + slot.id + " was scaled away");
        }
        if (expected != null && slot.current != expected) {
            return Outcome.done(expected + " was already replaced");
        }
        return null;
    }

    private CompletableFuture<Outcome> readyFirst(WorkerSlot slot, WorkerProcess expected, String why) {
        WorkerProcess old;
        WorkerProcess fresh;
        synchronized (slots.lock) {
            Outcome refused = refusal(slot, expected);
            if (refused != null) {
                return CompletableFuture.completedFuture(refused);
            }
            old = slot.current;
            try {
                fresh = spawner.spawn(slot);
            } catch (IOException e) {
                return failed("could not start a replacement for worker " + slot.id + " (" + Log.describe(e) + ")");
            }
            slot.pending = fresh;
        }
        return health.awaitReady(fresh).thenCompose(failure -> failure == null
                ? promoteAndRetire(slot, old, fresh, why)
                : giveUpOn(slot, old, fresh, failure));
    }

    private CompletableFuture<Outcome> immediately(WorkerSlot slot, WorkerProcess unhealthy, String why) {
        Outcome outcome;
        synchronized (slots.lock) {
            outcome = refusal(slot, unhealthy);
            if (outcome == null && slot.state != WorkerSlot.State.ACTIVE) {
                outcome = Outcome.done(unhealthy + " exited meanwhile"); // its crash restart takes over
            }
            if (outcome == null) {
                try {
                    WorkerProcess fresh = spawner.spawn(slot);
                    slot.promote(fresh);
                    health.warnIfNeverReady(fresh);
                    outcome = Outcome.done("worker " + slot.id + " pid " + unhealthy.pid() + " -> " + fresh.pid()
                            + " (" + why + ")");
                } catch (IOException e) {
                    Log.error("could not start a replacement for " + unhealthy, e);
                    outcome = Outcome.failed("could not start a replacement for worker " + slot.id + " ("
                            + Log.describe(e) + ")");
                }
            }
        }
        // signalled outside the lock: stopping a process tells the routing, which may talk to the worker
        Outcome result = outcome;
        CompletableFuture<Void> stopped = unhealthy.process.isAlive()
                ? stopper.stop(unhealthy, UNHEALTHY_GRACE) : CompletableFuture.completedFuture(null);
        return stopped.thenApply(ignored -> result);
    }

    private CompletableFuture<Outcome> promoteAndRetire(WorkerSlot slot, WorkerProcess old, WorkerProcess fresh,
                                                        String why) {
        synchronized (slots.lock) {
            slot.promote(fresh);
        }
        CompletableFuture<String> drained = old == null || !old.process.isAlive()
                ? CompletableFuture.completedFuture("") : retire(old).thenApply(what -> ", " + what);
        return drained.thenApply(what -> Outcome.done("worker " + slot.id + " pid " + (old == null ? "-" : old.pid())
                + " -> " + fresh.pid() + " (" + why + what + ")"));
    }

    private CompletableFuture<Outcome> giveUpOn(WorkerSlot slot, WorkerProcess old, WorkerProcess fresh,
                                                String failure) {
        synchronized (slots.lock) {
            if (slot.pending == fresh) {
                slot.pending = null;
            }
        }
        return stopper.stop(fresh, SHORT_GRACE).thenApply(stopped -> {
            String keeps = old != null && old.process.isAlive() ? "; " + old + " keeps serving" : "";
            return Outcome.failed("worker " + slot.id + "'s replacement (pid " + fresh.pid() + ") " + failure + keeps);
        });
    }

    /**
     * Takes {@code worker} out of rotation, waits until the balancer has no connection open to it (idle keep-alive
     * connections are let go between requests) or shutdown-timeout passes, then stops it. Completes with what
     * happened.
     */
    CompletableFuture<String> retire(WorkerProcess worker) {
        synchronized (slots.lock) {
            worker.state(WorkerProcess.State.DRAINING);
        }
        routing.withdraw(worker);
        long started = scheduler.nanoTime();
        CompletableFuture<String> result = new CompletableFuture<>();
        // a connection that picked this worker just before the withdrawal is counted by now
        long deadline = started + config.get().shutdownTimeout().toNanos();
        scheduler.schedule(DRAIN_START, () -> drain(worker, started, deadline, result));
        return result;
    }

    private void drain(WorkerProcess worker, long started, long deadline, CompletableFuture<String> result) {
        long open = routing.openConnections(worker);
        if (open > 0 && worker.process.isAlive() && scheduler.nanoTime() - deadline < 0) {
            routing.releaseIdle(List.of(worker));
            scheduler.schedule(DRAIN_POLL, () -> drain(worker, started, deadline, result));
            return;
        }
        long millis = (scheduler.nanoTime() - started) / 1_000_000;
        String drained = open > 0
                ? "stopped with " + open + " connection(s) still open after shutdown-timeout "
                  + Supervisor.format(Duration.ofNanos(deadline - started)) // the timeout this drain began with
                : "drained in " + millis + "ms";
        Log.info(worker + " " + drained + "; stopping it");
        stopper.stop(worker, RETIRED_GRACE).thenRun(() -> result.complete("old one " + drained));
    }

    private static CompletableFuture<Outcome> failed(String message) {
        return CompletableFuture.completedFuture(Outcome.failed(message));
    }
}
