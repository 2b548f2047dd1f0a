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

    private final SupervisorConfig config;
    private final Slots slots;
    private final Spawner spawner;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final HealthMonitor health;
    private final ProcessStopper stopper;

    Replacer(SupervisorConfig config, Slots slots, Spawner spawner, Scheduler scheduler, WorkerRouting routing,
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
     * Replaces {@code slot}'s process if it still is {@code expected} (null: whichever serves). READY_FIRST: if the
     * replacement is not ready within ready-timeout it is stopped and the old process keeps serving.
     */
    CompletableFuture<Outcome> replace(OperationQueue.Turn turn, WorkerSlot slot, WorkerProcess expected, String why,
                                       Mode mode) {
        if (turn == null) {
            throw new IllegalArgumentException("a replacement runs only as the operation queue's current operation");
        }
        WorkerProcess old;
        WorkerProcess fresh = null;
        String notStarted = null;
        synchronized (slots.lock) {
            if (slots.stopping()) {
                return failed("the cluster is stopping");
            }
            if (slot.state == WorkerSlot.State.REMOVED) {
                return failed("worker " + slot.id + " was scaled away");
            }
            old = slot.current;
            if (expected != null && (old != expected || (mode == Mode.IMMEDIATE && slot.state != WorkerSlot.State.ACTIVE))) {
                old = null;
            } else {
                try {
                    fresh = spawner.spawn(slot);
                    if (mode == Mode.IMMEDIATE) {
                        slot.promote(fresh);
                        health.warnIfNeverReady(fresh);
                    } else {
                        slot.pending = fresh;
                    }
                } catch (IOException e) {
                    notStarted = "could not start a replacement for worker " + slot.id + " (" + Log.describe(e) + ")";
                    if (mode == Mode.IMMEDIATE) {
                        Log.error("could not start a replacement for " + old, e);
                    }
                }
            }
        }
        // processes are signalled outside the lock: stopping one tells the routing, which may talk to the worker
        if (fresh == null && notStarted == null) {
            return stopUnhealthy(expected, mode).thenApply(stopped -> Outcome.done(expected + " was already replaced"));
        }
        if (notStarted != null) {
            String failure = notStarted;
            return stopUnhealthy(old, mode).thenApply(stopped -> Outcome.failed(failure));
        }
        WorkerProcess previous = old;
        WorkerProcess replacement = fresh;
        if (mode == Mode.IMMEDIATE) {
            return stopUnhealthy(previous, mode).thenApply(stopped -> Outcome.done("worker " + slot.id + " pid "
                    + previous.pid() + " -> " + replacement.pid() + " (" + why + ")"));
        }
        return health.awaitReady(replacement).thenCompose(failure -> failure == null
                ? promoteAndRetire(slot, previous, replacement, why)
                : giveUpOn(slot, previous, replacement, failure));
    }

    private CompletableFuture<Void> stopUnhealthy(WorkerProcess worker, Mode mode) {
        return mode == Mode.IMMEDIATE && worker != null && worker.process.isAlive()
                ? stopper.stop(worker, UNHEALTHY_GRACE)
                : CompletableFuture.completedFuture(null);
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
        scheduler.schedule(DRAIN_START, () -> drain(worker, started, started + config.shutdownTimeout().toNanos(), result));
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
                  + Supervisor.format(config.shutdownTimeout())
                : "drained in " + millis + "ms";
        Log.info(worker + " " + drained + "; stopping it");
        stopper.stop(worker, RETIRED_GRACE).thenRun(() -> result.complete("old one " + drained));
    }

    private static CompletableFuture<Outcome> failed(String message) {
        return CompletableFuture.completedFuture(Outcome.failed(message));
    }
}
