package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.probe.Probe;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Readiness and health, both asked through one {@link Probe}. A worker enters rotation once it serves every address
 * the cluster listens on and passed a probe; a ready worker is probed every health-interval, and one that fails
 * health-threshold probes in a row is taken out of rotation at once, asked for a thread dump, then handed to the
 * {@link Replacer} (through the operation queue) to be replaced without waiting for its successor.
 */
final class HealthMonitor {

    private static final Duration READY_RETRY = Duration.ofMillis(200);
    /** How long a worker that failed its probes may take to send its thread dump. */
    private static final Duration DUMP_TIMEOUT = Duration.ofSeconds(5);

    /** Replaces an unhealthy worker; wired to the operation queue. */
    interface Unhealthy {
        void replace(WorkerProcess worker);
    }

    private final RunningConfig config;
    private final Slots slots;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final Probe probe;
    private volatile Unhealthy unhealthy = worker -> { };
    private volatile Consumer<WorkerProcess> ready = worker -> { };

    HealthMonitor(RunningConfig config, Slots slots, Scheduler scheduler, WorkerRouting routing, Probe probe) {
        this.config = config;
        this.slots = slots;
        this.scheduler = scheduler;
        this.routing = routing;
        this.probe = probe;
    }

    void onUnhealthy(Unhealthy handler) {
        unhealthy = handler;
    }

    /** Told of each worker that entered rotation. */
    void onReady(Consumer<WorkerProcess> handler) {
        ready = handler;
    }

    /** Starts probing {@code worker} once it is connected and serves every address the cluster listens on. */
    void checkReady(WorkerProcess worker) {
        synchronized (slots.lock) {
            if (worker.state() != WorkerProcess.State.STARTING || worker.probing || !worker.connected
                    || !worker.process.isAlive() || !servesEverything(worker)) {
                return;
            }
            worker.probing = true;
        }
        scheduler.blocking(() -> probeUntilReady(worker));
    }

    private boolean servesEverything(WorkerProcess worker) {
        return worker.boundAddresses().keySet().containsAll(routing.listening());
    }

    private void probeUntilReady(WorkerProcess worker) {
        if (worker.state() != WorkerProcess.State.STARTING || !worker.process.isAlive()) {
            return;
        }
        String failure = probe.check(worker.pid(), worker.boundAddresses(), config.get().probeTimeoutMillis());
        if (failure != null) {
            worker.lastProbeFailure = failure;
            scheduler.schedule(READY_RETRY, () -> scheduler.blocking(() -> probeUntilReady(worker)));
            return;
        }
        synchronized (slots.lock) {
            worker.probing = false;
            if (worker.state() != WorkerProcess.State.STARTING || !worker.process.isAlive()) {
                return;
            }
            if (!servesEverything(worker)) {
                return; // the cluster listens on more than when the probe began; checked again at the next bind
            }
            worker.state(WorkerProcess.State.READY);
            routing.admit(worker);
        }
        worker.ready.complete(null);
        ready.accept(worker);
        probeHealthIn(worker, config.get().healthInterval());
    }

    private void probeHealthIn(WorkerProcess worker, Duration delay) {
        scheduler.schedule(delay, () -> scheduler.blocking(() -> probeHealth(worker)));
    }

    /**
     * A ready worker's periodic probe. After a failure the next probe follows at half the interval, so a worker that
     * stopped answering is out of rotation within about interval + threshold x interval/2.
     */
    private void probeHealth(WorkerProcess worker) {
        if (worker.state() != WorkerProcess.State.READY || !worker.process.isAlive() || slots.stopping()) {
            return;
        }
        long started = scheduler.nanoTime();
        SupervisorConfig now = config.get(); // this probe's interval, timeout and threshold
        int timeout = now.probeTimeoutMillis();
        String failure = probe.check(worker.pid(), worker.boundAddresses(), timeout);
        int failed;
        synchronized (slots.lock) {
            if (worker.state() != WorkerProcess.State.READY || !worker.process.isAlive()) {
                return;
            }
            worker.failedProbes = failure == null ? 0 : worker.failedProbes + 1;
            failed = worker.failedProbes;
            if (failed >= now.healthThreshold()) {
                worker.state(WorkerProcess.State.DRAINING);
            }
        }
        if (failure == null) {
            probeHealthIn(worker, now.healthInterval());
            return;
        }
        Log.info(worker + " failed a health probe (" + failed + " of " + now.healthThreshold()
                + " in a row): " + failure);
        if (failed < now.healthThreshold()) {
            long elapsed = (scheduler.nanoTime() - started) / 1_000_000;
            probeHealthIn(worker, Duration.ofMillis(Math.max(0, timeout - elapsed)));
            return;
        }
        routing.withdraw(worker);
        Log.info(worker + " failed " + now.healthThreshold() + " health probes in a row; taken out of rotation;"
                + " asking it for a thread dump, then replacing it");
        logThreadDump(worker).whenComplete((ignored, e) -> unhealthy.replace(worker));
    }

    private CompletableFuture<Void> logThreadDump(WorkerProcess worker) {
        CompletableFuture<Void> logged = new CompletableFuture<>();
        CompletableFuture<List<String>> dump = worker.requestThreadDump();
        scheduler.schedule(DUMP_TIMEOUT, () -> {
            if (!dump.isDone() && logged.complete(null)) {
                Log.info(worker + " sent no thread dump within " + DUMP_TIMEOUT.toSeconds() + "s (its JVM may be"
                        + " stuck at a safepoint, e.g. in a long GC)");
            }
        });
        dump.whenComplete((lines, failure) -> {
            if (!logged.complete(null)) {
                return;
            }
            if (failure != null) {
                Log.info("no thread dump from " + worker + ": " + Log.describe(unwrap(failure)));
                return;
            }
            List<String> text = new ArrayList<>();
            text.add("thread dump of " + worker + ":");
            for (String line : lines) {
                text.add("  " + line);
            }
            Log.infoLines(text);
        });
        return logged;
    }

    /** Completes with null once {@code worker} is ready, or with why not: it exited, or ready-timeout passed. */
    CompletableFuture<String> awaitReady(WorkerProcess worker) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Duration readyTimeout = config.get().readyTimeout();
        worker.ready.whenComplete((ready, failure) -> result.complete(failure == null ? null
                : unwrap(failure).getMessage() + " before it was ready (see its output above)"));
        scheduler.schedule(readyTimeout, () -> {
            if (!result.isDone()) {
                result.complete("was not ready within ready-timeout " + Supervisor.format(readyTimeout)
                        + " (" + readinessGap(worker) + ")");
            }
        });
        return result;
    }

    /** Logs why a worker started as a slot's serving process is not ready after ready-timeout, if it is not. */
    void warnIfNeverReady(WorkerProcess worker) {
        Duration readyTimeout = config.get().readyTimeout();
        scheduler.schedule(readyTimeout, () -> {
            if (worker.state() == WorkerProcess.State.STARTING && worker.process.isAlive()) {
                Log.info(worker + " is not ready after ready-timeout " + Supervisor.format(readyTimeout)
                        + " (" + readinessGap(worker) + "); it stays out of rotation until it is");
            }
        });
    }

    private String readinessGap(WorkerProcess worker) {
        Set<InetSocketAddress> bound = worker.boundAddresses().keySet();
        List<String> missing = new ArrayList<>();
        for (InetSocketAddress address : routing.listening()) {
            if (!bound.contains(address)) {
                missing.add(address.getAddress().getHostAddress() + ":" + address.getPort());
            }
        }
        String last = worker.lastProbeFailure;
        return missing.isEmpty() ? "it serves every clustered address but fails its probe"
                + (last == null ? "" : ": " + last) : "it has not bound " + String.join(", ", missing);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
