package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What an operator asks for: a rolling reload, scaling, and restarting one worker; each runs in its queue turn. */
final class Operations {

    private final RunningConfig config;
    private final Slots slots;
    private final OperationQueue queue;
    private final Replacer replacer;
    private final CrashRestarts starts;
    private final HealthMonitor health;
    private final ProcessStopper stopper;

    Operations(RunningConfig config, Slots slots, OperationQueue queue, Replacer replacer, CrashRestarts starts,
               HealthMonitor health, ProcessStopper stopper) {
        this.config = config;
        this.slots = slots;
        this.queue = queue;
        this.replacer = replacer;
        this.starts = starts;
        this.health = health;
        this.stopper = stopper;
    }

    CompletableFuture<Outcome> reload() {
        return queue.request("reload", turn -> {
            int count = slots.count();
            Log.info("reload: replacing " + count + " worker(s) one at a time");
            return reloadFrom(turn, 0, count, new ArrayList<>());
        });
    }

    private CompletableFuture<Outcome> reloadFrom(OperationQueue.Turn turn, int id, int count, List<String> done) {
        WorkerSlot slot = id < count ? slots.get(id) : null;
        if (slot == null) {
            return CompletableFuture.completedFuture(
                    Outcome.done("reloaded " + done.size() + " worker(s): " + String.join(", ", done)));
        }
        return replacer.replace(turn, slot, null, "reload", Replacer.Mode.READY_FIRST).thenCompose(step -> {
            if (!step.ok()) {
                return CompletableFuture.completedFuture(Outcome.failed("reload stopped at worker " + id + ": "
                        + step.message() + (done.isEmpty() ? "" : "; already replaced: " + String.join(", ", done))));
            }
            done.add(step.message());
            return reloadFrom(turn, id + 1, count, done);
        });
    }

    CompletableFuture<Outcome> restart(int workerId) {
        return queue.request("restart", turn -> {
            WorkerSlot slot = slots.get(workerId);
            if (slot == null) {
                return CompletableFuture.completedFuture(Outcome.failed("no worker " + workerId + " (workers are 0.."
                        + (slots.count() - 1) + ")"));
            }
            return replacer.replace(turn, slot, null, "restart requested", Replacer.Mode.READY_FIRST);
        });
    }

    CompletableFuture<Outcome> scale(int processes) {
        if (processes < 1) {
            return CompletableFuture.completedFuture(Outcome.failed("processes=" + processes
                    + ": expected a positive integer"));
        }
        int maxProcesses = config.get().maxProcesses();
        if (processes > maxProcesses) {
            return CompletableFuture.completedFuture(Outcome.failed("processes=" + processes + ": more than"
                    + " max-processes=" + maxProcesses));
        }
        return queue.request("scale", turn -> {
            int count = slots.count();
            if (processes == count) {
                return CompletableFuture.completedFuture(Outcome.done("already " + count + " worker(s)"));
            }
            return processes > count ? scaleUp(count, processes) : scaleDown(count, processes, new ArrayList<>());
        });
    }

    private CompletableFuture<Outcome> scaleUp(int count, int target) {
        List<WorkerProcess> started = new ArrayList<>();
        synchronized (slots.lock) {
            if (slots.stopping()) {
                return CompletableFuture.completedFuture(Outcome.failed("the cluster is stopping"));
            }
            List<WorkerSlot> added = new ArrayList<>();
            for (int id = count; id < target; id++) {
                added.add(slots.add(config));
            }
            for (WorkerSlot slot : added) {
                starts.start(slot);
                if (slot.current != null) {
                    started.add(slot.current);
                }
            }
        }
        return awaitAll(started, 0).thenCompose(failure -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(Outcome.done("scaled up from " + count + " to " + target
                        + " worker(s)"));
            }
            List<CompletableFuture<Void>> stopped = new ArrayList<>();
            WorkerSlot slot;
            while ((slot = slots.removeLastAbove(count)) != null) {
                WorkerProcess current;
                synchronized (slots.lock) {
                    current = slot.current;
                }
                if (current != null) {
                    stopped.add(stopper.stop(current, Replacer.SHORT_GRACE));
                }
            }
            return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).thenApply(ignored ->
                    Outcome.failed("scale to " + target + " undone: " + failure + "; still " + count + " worker(s)"));
        });
    }

    /** Null once every one of {@code workers} is ready, else the first that is not and why. */
    private CompletableFuture<String> awaitAll(List<WorkerProcess> workers, int from) {
        if (from == workers.size()) {
            return CompletableFuture.completedFuture(null);
        }
        WorkerProcess worker = workers.get(from);
        return health.awaitReady(worker).thenCompose(failure -> failure != null
                ? CompletableFuture.completedFuture(worker + " " + failure)
                : awaitAll(workers, from + 1));
    }

    private CompletableFuture<Outcome> scaleDown(int count, int target, List<String> retired) {
        WorkerSlot slot = slots.removeLastAbove(target);
        if (slot == null) {
            return CompletableFuture.completedFuture(Outcome.done("scaled down from " + count + " to " + target
                    + " worker(s)" + (retired.isEmpty() ? "" : ": " + String.join("; ", retired))));
        }
        WorkerProcess worker;
        WorkerProcess pending;
        synchronized (slots.lock) {
            worker = slot.current;
            pending = slot.pending;
        }
        CompletableFuture<Void> pendingStopped = pending == null
                ? CompletableFuture.completedFuture(null) : stopper.stop(pending, Replacer.SHORT_GRACE);
        return pendingStopped.thenCompose(ignored -> worker != null && worker.process.isAlive()
                        ? replacer.retire(worker).thenApply(what -> "worker " + slot.id + " " + what)
                        : CompletableFuture.completedFuture((String) null))
                .thenCompose(what -> {
                    if (what != null) {
                        retired.add(what);
                    }
                    return scaleDown(count, target, retired);
                });
    }
}
