package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.RecycleOptions;
import io.jcluster.agent.log.Log;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * max-requests (with its jitter) and max-age: a ready worker is looked at once a second, and one past its limit is
 * replaced through the operation queue like a reload step, its replacement ready first; the queue runs one
 * replacement at a time, so workers due together are replaced one after the other and never all leave at once. The
 * parent counts what it passes each worker ({@link WorkerRouting#served}): requests in http mode, connections in tcp
 * mode; a busy worker may pass its limit by what it serves in that second. A worker's age counts from its start.
 */
final class Recycler {

    /** How often a ready worker's count and age are looked at. */
    static final Duration CHECK = Duration.ofSeconds(1);
    /** After a replacement failed (its successor was not ready), how long the worker serves on before the next try. */
    static final Duration RETRY = Duration.ofSeconds(30);

    /** Why a worker is recycled, as /metrics labels it. */
    enum Reason {
        MAX_REQUESTS("max-requests"),
        MAX_AGE("max-age");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    /** Replaces a worker past its limit; wired to the operation queue. */
    interface Replace {
        CompletableFuture<Outcome> replace(WorkerProcess worker, String why);
    }

    private final Slots slots;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final Replace replace;
    private volatile RecycleOptions options;
    /** Bumped when the options change: the watches of the options before end, new ones begin. */
    private final AtomicLong generation = new AtomicLong();
    /** Recycles done, by worker id. */
    private final ConcurrentHashMap<Integer, Recycles> done = new ConcurrentHashMap<>();

    Recycler(RecycleOptions options, Slots slots, Scheduler scheduler, WorkerRouting routing, Replace replace) {
        this.options = options;
        this.slots = slots;
        this.scheduler = scheduler;
        this.routing = routing;
        this.replace = replace;
    }

    /** {@code worker} entered rotation: from now on its count and age are watched. */
    void admitted(WorkerProcess worker) {
        watch(worker, options, generation.get());
    }

    /** New options (SIGHUP): every worker in rotation is watched by them from now on, a new limit drawn for each. */
    void reconfigure(RecycleOptions next, Collection<WorkerProcess> ready) {
        options = next;
        long current = generation.incrementAndGet();
        ready.forEach(worker -> watch(worker, next, current));
    }

    private void watch(WorkerProcess worker, RecycleOptions watched, long of) {
        if (!watched.byRequests() && !watched.byAge()) {
            return;
        }
        long limit = watched.byRequests()
                ? watched.maxRequests() + ThreadLocalRandom.current().nextLong(watched.jitter() + 1) : 0;
        scheduler.schedule(CHECK, () -> check(worker, watched, limit, of));
    }

    /** How many times worker {@code id}'s process was recycled, by reason. */
    Recycles recycles(int id) {
        return done.getOrDefault(id, Recycles.NONE);
    }

    private void check(WorkerProcess worker, RecycleOptions watched, long limit, long of) {
        if (of != generation.get() || worker.state() != WorkerProcess.State.READY || !worker.process.isAlive()
                || slots.stopping()) {
            return; // new options, or replaced, retired or exited meanwhile: its successor is watched afresh
        }
        String why = null;
        Reason reason = null;
        if (limit > 0) {
            long served = routing.served(worker);
            if (served >= limit) {
                why = "max-requests: served " + served + ", its limit " + limit;
                reason = Reason.MAX_REQUESTS;
            }
        }
        if (why == null && watched.byAge()
                && scheduler.nanoTime() - worker.startedNanos >= watched.maxAge().toNanos()) {
            why = "max-age " + Supervisor.format(watched.maxAge());
            reason = Reason.MAX_AGE;
        }
        if (why == null) {
            scheduler.schedule(CHECK, () -> check(worker, watched, limit, of));
            return;
        }
        Log.info(worker + " reached " + why + "; replacing it (its replacement first)");
        Reason recycled = reason;
        replace.replace(worker, why).thenAccept(outcome -> {
            if (outcome.ok() && replaced(worker)) {
                Recycles total = done.merge(worker.id(), recycled == Reason.MAX_REQUESTS ? new Recycles(1, 0)
                        : new Recycles(0, 1), Recycles::plus);
                Log.info("recycle done: " + outcome.message() + "; worker " + worker.id() + " recycled "
                        + (recycled == Reason.MAX_REQUESTS ? total.maxRequests() : total.maxAge()) + " time(s) for "
                        + recycled.label);
            } else if (outcome.ok()) {
                Log.info("recycle done: " + outcome.message());
            } else {
                Log.info(worker + " serves on (its recycling failed: " + outcome.message() + "); trying again in "
                        + Supervisor.format(RETRY));
                scheduler.schedule(RETRY, () -> check(worker, watched, limit, of));
            }
        });
    }

    /** Whether {@code worker} no longer serves its id (its replacement took its place); false once scaled away. */
    private boolean replaced(WorkerProcess worker) {
        synchronized (slots.lock) {
            WorkerSlot slot = slots.get(worker.id());
            return slot != null && slot.current != worker;
        }
    }
}
