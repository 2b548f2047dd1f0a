package io.jcluster.agent.parent;

import io.jcluster.agent.config.Option;
import io.jcluster.agent.config.OptionReread;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.RunTimeValues;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.stop.StopSignals;
import io.jcluster.agent.supervisor.Outcome;
import io.jcluster.agent.supervisor.Supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final Shutdown shutdown;
    /** The options the cluster runs with: the launch's, then each applied SIGHUP's. */
    private volatile Options running;

    RunTimeSignals(Supervisor supervisor, RoutingMode routing, OptionReread options, Path controlDirectory,
                   Shutdown shutdown, Options launched) {
        this.supervisor = supervisor;
        this.routing = routing;
        this.options = options;
        this.controlDirectory = controlDirectory;
        this.shutdown = shutdown;
        this.running = launched;
    }

    /** The options the cluster runs with now (GET /status shows their run-time values). */
    Options running() {
        return running;
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
        Options before = running;
        Options next = change.options();
        running = next;
        try {
            options.writeWorkerCopy(controlDirectory);
        } catch (IOException e) {
            Log.info("SIGHUP: could not update the workers' copy of the options (" + Log.describe(e) + ")");
        }
        List<String> applied = changes(before, next);
        // each reads its new values once per new connection, request or decision; what is under way keeps its own
        routing.reconfigure(next);
        supervisor.reconfigure(next.supervisor(), next.health());
        shutdown.shutdownTimeout(next.supervisor().shutdownTimeout());
        if (change.changes(Option.MAX_REQUESTS) || change.changes(Option.MAX_REQUESTS_JITTER)
                || change.changes(Option.MAX_AGE)) {
            supervisor.recycle(next.supervisor().recycle());
        }
        int processes = next.supervisor().processes();
        boolean scale = change.changes(Option.PROCESSES) && processes != supervisor.workerCount();
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

    /** "header-timeout 10s -> 2s" for each run-time option whose value changed, in the options table's order. */
    static List<String> changes(Options before, Options after) {
        Map<String, String> old = RunTimeValues.of(before);
        List<String> changed = new ArrayList<>();
        RunTimeValues.of(after).forEach((key, value) -> {
            if (!value.equals(old.get(key))) {
                changed.add(key + " " + old.get(key) + " -> " + value);
            }
        });
        return changed;
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
