package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.HealthOptions;
import io.jcluster.agent.config.RecycleOptions;
import io.jcluster.agent.config.SupervisorOptions;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.probe.Probe;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the workers, restarts those that crash ({@link CrashRestarts}), watches their readiness and health
 * ({@link HealthMonitor}) and memory ({@link MemoryWatchdog}), replaces them one at a time through one
 * {@link OperationQueue} (reload, restart, max-memory, failed health probes, max-requests and max-age:
 * {@link Replacer}, {@link Recycler}), scales their number
 * ({@link Operations}), and stops them all on shutdown ({@link ProcessStopper}). It knows processes, not bytes: what
 * a worker serves is passed on to {@link WorkerRouting}.
 *
 * <p>A worker enters rotation only when ready: it serves every address the cluster listens on and passed a
 * probe. A replacement is started first and must be ready before the process it replaces leaves rotation; the
 * old one is then drained (its open connections counted down to zero, up to shutdown-timeout) before SIGTERM.
 */
public final class Supervisor implements ControlListener {

    private final RunningConfig config;
    private final ProcessLauncher launcher;
    private final Scheduler scheduler;
    private final WorkerRouting routing;
    private final Probe probe;
    private final long startedNanos;
    private final Slots slots = new Slots();
    private final ConcurrentHashMap.KeySetView<InetSocketAddress, Boolean> reportedUnclustered =
            ConcurrentHashMap.newKeySet();
    private final CrashRestarts starts;
    private final HealthMonitor health;
    private final MemoryWatchdog memory;
    private final ProcessStopper stopper;
    private final Operations operations;
    private volatile ReloadListener reloads = ReloadListener.NONE;
    private final Recycler recycler;

    /**
     * @param probe      how readiness and health are asked (the routing mode picks it)
     * @param allGivenUp runs when every slot has been given up: nothing is left to serve
     */
    public Supervisor(SupervisorOptions options, HealthOptions health, WorkerCommand command, Path controlSocket,
                      String secret, WorkerRouting routing, Probe probe, Runnable allGivenUp) {
        this(SupervisorConfig.from(options, health), new ForkingLauncher(command, controlSocket, secret, options.log()),
                Scheduler.threads(), routing, probe, allGivenUp);
    }

    Supervisor(SupervisorConfig config, ProcessLauncher launcher, Scheduler scheduler, WorkerRouting routing,
               Probe probe, Runnable allGivenUp) {
        this.config = new RunningConfig(config);
        this.launcher = launcher;
        this.scheduler = scheduler;
        this.routing = routing;
        this.probe = probe;
        this.startedNanos = scheduler.nanoTime();
        OperationQueue queue = new OperationQueue(scheduler, slots::stopping);
        Spawner spawner = new Spawner(launcher, scheduler, slots);
        this.stopper = new ProcessStopper(scheduler, routing);
        this.health = new HealthMonitor(this.config, slots, scheduler, routing, probe);
        this.starts = new CrashRestarts(this.config, slots, spawner, scheduler, routing, health, allGivenUp);
        Replacer replacer = new Replacer(this.config, slots, spawner, scheduler, routing, health, stopper);
        RunningConfig running = this.config;
        this.memory = new MemoryWatchdog(() -> running.get().maxMemory(), slots, worker -> queue.enqueue("max-memory",
                turn -> replacer.replace(turn, slots.get(worker.id()), worker, "max-memory", Replacer.Mode.READY_FIRST)));
        health.onUnhealthy(worker -> queue.enqueue("health", turn ->
                replacer.replace(turn, slots.get(worker.id()), worker, "health", Replacer.Mode.IMMEDIATE)));
        this.recycler = new Recycler(config.recycle(), slots, scheduler, routing, (worker, why) ->
                queue.enqueue("recycle", turn ->
                        replacer.replace(turn, slots.get(worker.id()), worker, why, Replacer.Mode.READY_FIRST)));
        health.onReady(recycler::admitted);
        this.operations = new Operations(this.config, slots, queue, replacer, starts, health, stopper);
    }

    public void startAll() {
        List<WorkerSlot> started = new ArrayList<>();
        synchronized (slots.lock) {
            // every worker learns the full count (JCLUSTER_WORKERS), so all slots exist before the first fork
            for (int id = 0; id < config.get().processes(); id++) {
                started.add(slots.add(config));
            }
            started.forEach(starts::start);
        }
    }

    /** How long the cluster has been up. */
    public long uptimeMillis() {
        return (scheduler.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public Session accept(int workerId, long pid, ControlConnection toWorker) {
        WorkerProcess worker = null;
        synchronized (slots.lock) {
            WorkerSlot slot = slots.get(workerId);
            if (slot == null) {
                return null;
            }
            for (WorkerProcess candidate : new WorkerProcess[] {slot.current, slot.pending}) {
                if (candidate != null && candidate.pid() == pid) {
                    worker = candidate;
                }
            }
            if (worker == null || worker.connected || !worker.process.isAlive()) {
                return null;
            }
            worker.connected = true;
            worker.control = toWorker;
        }
        health.checkReady(worker);
        return new WorkerSession(worker, routing, health, memory, reportedUnclustered);
    }

    /** max-processes now (a SIGHUP may change it). */
    public int maxProcesses() {
        return config.get().maxProcesses();
    }

    /** The cluster's worker count now: its slots (scale changes it), whatever state their processes are in. */
    public int workerCount() {
        return slots.count();
    }

    // ---- operations: each runs in its turn of the one operation queue

    /** Rolling reload: each worker in turn replaced by a fresh process from the same command line. */
    public CompletableFuture<Outcome> reload() {
        ReloadListener listener = reloads;
        listener.reloading();
        return operations.reload().whenComplete((outcome, failure) -> listener.reloaded(outcome));
    }

    /** Who is told of each reload, however it was asked for (SIGHUP, the admin endpoint). */
    public void onReload(ReloadListener listener) {
        reloads = listener;
    }

    /** Starts or drains workers until {@code processes} serve. */
    public CompletableFuture<Outcome> scale(int processes) {
        return operations.scale(processes);
    }

    /** Replaces one worker, its replacement ready first. */
    public CompletableFuture<Outcome> restart(int workerId) {
        return operations.restart(workerId);
    }

    /** New recycling options (SIGHUP): every worker in rotation is watched by them from now on. */
    public void recycle(RecycleOptions next) {
        List<WorkerProcess> ready = new ArrayList<>();
        synchronized (slots.lock) {
            for (WorkerSlot slot : slots.all()) {
                if (slot.current != null && slot.current.state() == WorkerProcess.State.READY) {
                    ready.add(slot.current);
                }
            }
        }
        recycler.reconfigure(next, ready);
    }

    /**
     * New run-time options (SIGHUP): ready-timeout, shutdown-timeout, restart-delay, max-restarts, max-memory,
     * max-processes, health-interval, health-threshold and the health path apply from each one's next decision (the
     * next probe, crash, drain, memory report, scale); what is under way keeps the value it started with.
     * Recycling: {@link #recycle}.
     */
    public void reconfigure(SupervisorOptions options, HealthOptions health) {
        reconfigure(SupervisorConfig.from(options, health));
        probe.healthPath(health.path());
    }

    void reconfigure(SupervisorConfig next) {
        synchronized (slots.lock) {
            config.set(next);
            for (WorkerSlot slot : slots.all()) {
                slot.restarts.reconfigure(next.restartDelay(), next.maxRestarts());
            }
        }
    }

    // ---- what the admin endpoint shows

    /** One process as the admin endpoint shows it. */
    public record WorkerInfo(WorkerProcess process, String state, int restarts, Integer lastExitStatus) {
    }

    /** How many times worker {@code id}'s process was recycled (max-requests, max-age); each is a restart too. */
    public Recycles recycles(int id) {
        return recycler.recycles(id);
    }

    /** Every worker process there is, by id: the serving one, a replacement being readied, draining ones. */
    public List<WorkerInfo> workers() {
        List<WorkerInfo> list = new ArrayList<>();
        synchronized (slots.lock) {
            List<WorkerProcess> listed = new ArrayList<>();
            for (WorkerSlot slot : slots.all()) {
                if (slot.current != null) {
                    String state = switch (slot.state) {
                        case WAITING_TO_RESTART -> "restarting";
                        case GIVEN_UP -> "given-up";
                        default -> slot.current.state().label();
                    };
                    list.add(new WorkerInfo(slot.current, state, slot.restartCount, slot.lastExitStatus));
                    listed.add(slot.current);
                }
                if (slot.pending != null) {
                    list.add(new WorkerInfo(slot.pending, slot.pending.state().label(), slot.restartCount,
                            slot.lastExitStatus));
                    listed.add(slot.pending);
                }
            }
            for (WorkerProcess worker : slots.alive) {
                if (!listed.contains(worker)) {
                    WorkerSlot slot = slots.get(worker.id());
                    list.add(new WorkerInfo(worker, worker.state().label(), slot == null ? 0 : slot.restartCount, null));
                }
            }
        }
        list.sort(Comparator.comparingInt((WorkerInfo info) -> info.process().id())
                .thenComparingLong(info -> info.process().serial()));
        return list;
    }

    // ---- stopping

    /** No more restarts or operations from now on. */
    public void stopRestarting() {
        slots.stop();
    }

    /**
     * SIGTERM to every worker (their shutdown hooks run), then SIGKILL to those still alive at {@code deadlineNanos}.
     * Returns once every worker process has exited.
     */
    public void terminateAll(long deadlineNanos) {
        slots.stop();
        Duration grace = Duration.ofNanos(Math.max(0, deadlineNanos - scheduler.nanoTime()));
        List<CompletableFuture<Void>> exited = new ArrayList<>();
        for (WorkerProcess worker : slots.alive) {
            if (worker.process.isAlive()) {
                exited.add(stopper.stop(worker, grace));
            }
        }
        try {
            CompletableFuture.allOf(exited.toArray(CompletableFuture[]::new))
                    .get(grace.toMillis() + 6_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAll();
            return;
        } catch (ExecutionException | TimeoutException e) {
            Log.info("workers still running after SIGKILL: " + Log.describe(e));
        }
        scheduler.shutdown();
        launcher.awaitOutput(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
    }

    /** SIGKILL to every worker still alive, now. For a forced stop and for the parent's last breath. */
    public void killAll() {
        slots.alive.forEach(ProcessStopper::kill);
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
