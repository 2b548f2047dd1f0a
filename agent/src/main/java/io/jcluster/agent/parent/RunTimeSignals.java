package io.jcluster.agent.parent;

import io.jcluster.agent.config.Option;
import io.jcluster.agent.config.OptionReread;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.stop.StopSignals;
import io.jcluster.agent.supervisor.Outcome;
import io.jcluster.agent.supervisor.Supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The signals that change a running cluster: SIGHUP reads the options again ({@link OptionReread}: the config file
 * may have been edited), applies those that can change at run time, then reloads the workers one at a time;
 * SIGTTIN and SIGTTOU scale by one worker (Gunicorn's habit). Each runs as an operation of the supervisor's queue, so
 * a signal that arrives while another reload, scale or restart runs is answered busy in the log.
 */
final class RunTimeSignals {

    private final Supervisor supervisor;
    private final RoutingMode routing;
    /** Null when the options could not be read again at start (then SIGHUP only reloads). */
    private final OptionReread options;
    /** Where the workers find the options the parent runs with. */
    private final Path controlDirectory;

    RunTimeSignals(Supervisor supervisor, RoutingMode routing, OptionReread options, Path controlDirectory) {
        this.supervisor = supervisor;
        this.routing = routing;
        this.options = options;
        this.controlDirectory = controlDirectory;
    }

    void install() {
        StopSignals.installReload(this::hangUp);
        if (!StopSignals.installScaling(this::scaleBy)) {
            Log.info("SIGTTIN/SIGTTOU cannot be handled in this JVM; scale with the admin endpoint instead");
        }
    }

    /** SIGHUP. Completes when the reload (or the refusal) is over. */
    CompletableFuture<Outcome> hangUp() {
        if (options == null) {
            Log.info("SIGHUP received: rolling reload");
            return supervisor.reload(); // the queue logs how it ended
        }
        OptionReread.Change change = options.reread();
        if (change.refused()) {
            Log.info("SIGHUP received: options refused: " + change.refusal() + "; nothing was reloaded");
            return CompletableFuture.completedFuture(new Outcome(Outcome.Kind.FAILED, change.refusal()));
        }
        Options next = change.options();
        try {
            options.writeWorkerCopy(controlDirectory);
        } catch (IOException e) {
            Log.info("SIGHUP: could not update the workers' copy of the options (" + Log.describe(e) + ")");
        }
        List<String> applied = new ArrayList<>();
        if (change.changes(Option.STRATEGY)) {
            routing.strategy(next.proxy().strategy());
            applied.add("strategy=" + next.proxy().strategy().optionValue());
        }
        if (change.changes(Option.MAX_REQUESTS) || change.changes(Option.MAX_REQUESTS_JITTER)
                || change.changes(Option.MAX_AGE)) {
            supervisor.recycle(next.supervisor().recycle());
            applied.add("max-requests=" + next.supervisor().recycle().maxRequests() + ", max-requests-jitter="
                    + next.supervisor().recycle().jitter() + ", max-age=" + age(next.supervisor().recycle().maxAge()));
        }
        int processes = next.supervisor().processes();
        boolean scale = change.changes(Option.PROCESSES) && processes != supervisor.workerCount();
        if (scale) {
            applied.add("processes=" + processes);
        }
        Log.info("SIGHUP received: options read again, " + (applied.isEmpty() ? "none changed"
                : "applying " + String.join(", ", applied)) + "; then a rolling reload");
        CompletableFuture<Outcome> scaled = scale ? supervisor.scale(processes)
                : CompletableFuture.completedFuture(new Outcome(Outcome.Kind.DONE, "no scale"));
        return scaled.thenCompose(outcome -> outcome.kind() == Outcome.Kind.BUSY
                ? CompletableFuture.completedFuture(outcome) : supervisor.reload()).thenApply(outcome -> {
                    if (outcome.kind() == Outcome.Kind.BUSY) {
                        Log.info("SIGHUP: " + outcome.message());
                    }
                    return outcome;
                });
    }

    private static String age(Duration age) {
        return age.isZero() ? "off" : age.toMillis() % 1000 == 0 ? age.toSeconds() + "s" : age.toMillis() + "ms";
    }

    /** SIGTTIN (+1) or SIGTTOU (-1). */
    private void scaleBy(int step) {
        String signal = step > 0 ? "SIGTTIN" : "SIGTTOU";
        int target = supervisor.workerCount() + step;
        if (target < 1) {
            Log.info(signal + " received: one worker is the fewest; nothing done");
            return;
        }
        Log.info(signal + " received: scaling to " + target + " worker(s)");
        supervisor.scale(target).thenAccept(outcome -> {
            if (outcome.kind() == Outcome.Kind.BUSY) {
                Log.info(signal + ": " + outcome.message());
            } else if (!outcome.ok() && outcome.message().startsWith("processes=")) {
                Log.info(signal + ": " + outcome.message()); // refused before the queue, which logs the others
            }
        });
    }
}
