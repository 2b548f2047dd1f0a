package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Reloads, scaling, restarts and replacements (health, max-memory) run here, one at a time: never two workers
 * replaced at once. A step that replaces a worker needs the {@link Turn} only this queue hands out, so no
 * replacement can start outside it. A reload, scale or restart asked for while another one is queued or running
 * is refused as busy; a replacement the supervisor asks for itself waits its turn.
 */
final class OperationQueue {

    private record Entry(String name, Runnable run, CompletableFuture<Outcome> result) {
    }

    /** Proof that the holder runs as the queue's current operation. */
    static final class Turn {
        private Turn() {
        }
    }

    private final Scheduler scheduler;
    private final BooleanSupplier stopping;
    private final Object lock = new Object();
    @GuardedBy("lock")
    private final Deque<Entry> waiting = new ArrayDeque<>();
    @GuardedBy("lock")
    private boolean running;
    /** A reload, scale or restart is queued or running. */
    @GuardedBy("lock")
    private boolean requested;

    OperationQueue(Scheduler scheduler, BooleanSupplier stopping) {
        this.scheduler = scheduler;
        this.stopping = stopping;
    }

    /** A reload, scale or restart: refused as busy while another one is queued or running; logs how it ended. */
    CompletableFuture<Outcome> request(String name, Function<Turn, CompletableFuture<Outcome>> operation) {
        synchronized (lock) {
            if (requested) {
                return CompletableFuture.completedFuture(Outcome.busy("busy: another reload, scale or restart is"
                        + " running; try again when it is done"));
            }
            requested = true;
        }
        return enqueue(name, operation).thenApply(outcome -> {
            synchronized (lock) {
                requested = false;
            }
            Log.info(name + (outcome.ok() ? " done: " : " FAILED: ") + outcome.message());
            return outcome;
        });
    }

    /** Runs {@code operation} when every operation queued before it has ended. */
    CompletableFuture<Outcome> enqueue(String name, Function<Turn, CompletableFuture<Outcome>> operation) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Entry entry = new Entry(name, () -> run(name, operation).whenComplete((outcome, failure) -> {
            result.complete(outcome != null ? outcome : Outcome.failed(name + " failed: " + Log.describe(unwrap(failure))));
            next();
        }), result);
        boolean now;
        synchronized (lock) {
            now = !running;
            if (now) {
                running = true;
            } else {
                waiting.addLast(entry);
            }
        }
        if (now) {
            start(entry);
        }
        return result;
    }

    private void start(Entry entry) {
        try {
            scheduler.execute(entry.run());
        } catch (RuntimeException e) {
            // shut down: this does not run, nor does anything queued after it (each is told so in turn)
            entry.result().complete(Outcome.failed(entry.name() + " not started: " + Log.describe(e)));
            next();
        }
    }

    private CompletableFuture<Outcome> run(String name, Function<Turn, CompletableFuture<Outcome>> operation) {
        if (stopping.getAsBoolean()) {
            return CompletableFuture.completedFuture(Outcome.failed("the cluster is stopping"));
        }
        try {
            return operation.apply(new Turn());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Outcome.failed(name + " failed: " + Log.describe(e)));
        }
    }

    private void next() {
        Entry following;
        synchronized (lock) {
            following = waiting.pollFirst();
            running = following != null;
        }
        if (following != null) {
            start(following);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
