package io.jcluster.agent.supervisor;

import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.log.Log;

import java.util.function.LongSupplier;

/**
 * max-memory: a ready worker whose resident memory stays above the limit for {@value #REPORTS} reports in a row (one
 * a second) is replaced, its replacement ready first; asked once per process, again only if that replacement failed.
 */
final class MemoryWatchdog {

    /** Reports in a row above max-memory before the worker is replaced. */
    static final int REPORTS = 3;

    /** Replaces a worker above the limit; wired to the operation queue. Completes with whether it was replaced. */
    interface Replace {
        java.util.concurrent.CompletableFuture<Outcome> replace(WorkerProcess worker);
    }

    /** max-memory now (a SIGHUP may change it): read once per report. */
    private final LongSupplier limit;
    private final Slots slots;
    private final Replace replace;

    MemoryWatchdog(LongSupplier limit, Slots slots, Replace replace) {
        this.limit = limit;
        this.slots = slots;
        this.replace = replace;
    }

    /** {@code worker} sent a resource report. */
    void reported(WorkerProcess worker, ControlMessage.Stats stats) {
        long limit = this.limit.getAsLong();
        if (limit <= 0) {
            return;
        }
        synchronized (slots.lock) {
            if (stats.residentBytes() <= limit || worker.state() != WorkerProcess.State.READY) {
                worker.reportsAboveMemoryLimit = 0;
                return;
            }
            if (++worker.reportsAboveMemoryLimit < REPORTS || worker.replacementRequested) {
                return;
            }
            worker.replacementRequested = true;
        }
        Log.info(worker + " uses " + mebibytes(stats.residentBytes()) + " resident, above max-memory "
                + mebibytes(limit) + " for " + REPORTS + "s; replacing it (its replacement first)");
        replace.replace(worker).thenAccept(outcome -> {
            if (!outcome.ok()) {
                Log.info("max-memory replacement failed: " + outcome.message());
                synchronized (slots.lock) {
                    worker.replacementRequested = false;
                    worker.reportsAboveMemoryLimit = 0;
                }
            }
        });
    }

    private static String mebibytes(long bytes) {
        return bytes / (1024 * 1024) + " MiB";
    }
}
