package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.LogMode;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.log.Log;
import io.jcluster.bootstrap.ClientAddressTable;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the workers, restarts those that crash (with back-off), replaces them one at a time (reload, restart,
 * max-memory, failed health probes), scales their number, and stops them all on shutdown. It knows processes, not
 * bytes: what a worker serves is passed on to {@link WorkerRouting}.
 *
 * <p>A worker enters rotation only when ready: it serves every address the cluster listens on and passed a
 * probe. A replacement is started first and must be ready before the process it replaces leaves rotation; the
 * old one is then drained (its open connections counted down to zero, up to shutdown-timeout) before SIGTERM.
 */
public final class Supervisor implements ControlListener {

    /** How long a worker that failed its probes may take to send its thread dump. */
    private static final long DUMP_TIMEOUT_MILLIS = 5_000;
    /** Reports in a row above max-memory (one a second) before the worker is replaced. */
    private static final int MEMORY_REPORTS = 3;
    private static final long DRAIN_POLL_MILLIS = 200;
    private static final long SIGTERM_GRACE_MILLIS = 10_000;

    private final Options options;
    private final WorkerCommand command;
    private final Path controlSocket;
    private final String secret;
    private final WorkerRouting routing;
    private final Runnable allGivenUp;
    private final long startedNanos = System.nanoTime();
    /** Index = worker id; scaling down removes from the end. */
    private final List<WorkerSlot> slots = new ArrayList<>();
    /** Every forked process that has not exited yet, whatever its role. */
    private final Set<WorkerProcess> alive = ConcurrentHashMap.newKeySet();
    /** Relays of the current workers' output; joined at shutdown so that their last lines are not lost. */
    private final List<Thread> relays = new ArrayList<>();
    private final Set<InetSocketAddress> reportedUnclustered = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemons("jcluster-supervisor"));
    private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2, daemons("jcluster-health"));
    /** Reloads, scaling, restarts and replacements run here, one at a time: never two workers replaced at once. */
    private final ExecutorService operations = Executors.newSingleThreadExecutor(daemons("jcluster-operations"));
    private final AtomicBoolean operationRunning = new AtomicBoolean();
    private boolean stopping;
    private volatile ClientAddressTable clientAddresses;

    /** Where health probes mark themselves as the parent's own connections; null: they go unmarked. */
    public void markProbesIn(ClientAddressTable table) {
        clientAddresses = table;
    }

    /** @param allGivenUp runs when every slot has been given up: nothing is left to serve */
    public Supervisor(Options options, WorkerCommand command, Path controlSocket, String secret,
                      WorkerRouting routing, Runnable allGivenUp) {
        this.options = options;
        this.command = command;
        this.controlSocket = controlSocket;
        this.secret = secret;
        this.routing = routing;
        this.allGivenUp = allGivenUp;
    }

    private static ThreadFactory daemons(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public synchronized void startAll() {
        for (int id = 0; id < options.processes(); id++) {
            slots.add(new WorkerSlot(id, options.restartDelay(), options.maxRestarts()));
        }
        // every worker learns the full count (JCLUSTER_WORKERS), so all slots exist before the first fork
        for (WorkerSlot slot : slots) {
            start(slot);
        }
    }

    /** How long the cluster has been up. */
    public long uptimeMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** Forks a process for {@code slot}'s id; the caller decides whether it is the slot's current or pending one. */
    private synchronized WorkerProcess spawn(WorkerSlot slot) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command.forWorker(slot.id));
        new WorkerEnvironment(slot.id, slots.size(), controlSocket, secret).exportTo(builder.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (options.log() == LogMode.INHERIT) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = builder.start();
        if (options.log() == LogMode.PREFIX) {
            String prefix = "[w" + slot.id + "] ";
            relays.removeIf(relay -> !relay.isAlive());
            relays.add(OutputRelay.start(process.getInputStream(), System.out, prefix, "jcluster-w" + slot.id + "-out"));
            relays.add(OutputRelay.start(process.getErrorStream(), System.err, prefix, "jcluster-w" + slot.id + "-err"));
        }
        WorkerProcess worker = new WorkerProcess(slot.id, process);
        alive.add(worker);
        Log.info("worker " + slot.id + " started (pid " + process.pid() + ")");
        process.onExit().thenAccept(exited -> scheduler.execute(() -> exited(worker)));
        return worker;
    }

    /** Starts {@code slot}'s serving process: at launch, and after a crash (restart-delay). */
    private synchronized void start(WorkerSlot slot) {
        if (stopping || slot.state == WorkerSlot.State.REMOVED
                || (slot.current != null && slot.state != WorkerSlot.State.WAITING_TO_RESTART)) {
            return;
        }
        try {
            WorkerProcess worker = spawn(slot);
            if (slot.current != null) {
                slot.restartCount++;
            }
            slot.current = worker;
            slot.state = WorkerSlot.State.ACTIVE;
            warnIfNeverReady(worker);
        } catch (IOException e) {
            scheduleRestart(slot, "could not be started (" + Log.describe(e) + ")");
        }
    }

    private void warnIfNeverReady(WorkerProcess worker) {
        scheduler.schedule(() -> {
            if (worker.state() == WorkerProcess.State.STARTING && worker.process.isAlive()) {
                Log.info(worker + " is not ready after ready-timeout " + format(options.readyTimeout())
                        + " (" + readinessGap(worker) + "); it stays out of rotation until it is");
            }
        }, options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private String readinessGap(WorkerProcess worker) {
        Set<InetSocketAddress> bound = worker.boundAddresses().keySet();
        List<String> missing = new ArrayList<>();
        for (InetSocketAddress address : routing.listening()) {
            if (!bound.contains(address)) {
                missing.add(address.getAddress().getHostAddress() + ":" + address.getPort());
            }
        }
        String probe = worker.lastProbeFailure;
        return missing.isEmpty() ? "it serves every clustered address but fails its probe"
                + (probe == null ? "" : ": " + probe) : "it has not bound " + String.join(", ", missing);
    }

    private void exited(WorkerProcess worker) {
        int status = worker.process.exitValue();
        synchronized (this) {
            alive.remove(worker);
            worker.state(WorkerProcess.State.STOPPED);
            routing.gone(worker);
            WorkerSlot slot = slotOf(worker.id());
            if (slot != null) {
                slot.lastExitStatus = status;
            }
            String how = "exited with " + ExitStatus.describe(status);
            worker.ready.completeExceptionally(new IllegalStateException(how));
            if (slot == null) {
                return;
            }
            if (slot.pending == worker) {
                slot.pending = null;
                return;
            }
            if (slot.current != worker || stopping || slot.state == WorkerSlot.State.REMOVED) {
                return; // a replaced or retired process: its successor serves
            }
            scheduleRestart(slot, how);
        }
    }

    private WorkerSlot slotOf(int id) {
        return id >= 0 && id < slots.size() ? slots.get(id) : null;
    }

    private void scheduleRestart(WorkerSlot slot, String what) {
        long now = System.nanoTime();
        Duration delay = slot.restarts.afterExit(slot.uptime(now), now);
        String who = slot.current == null ? "worker " + slot.id : slot.current.toString();
        if (delay == null) {
            slot.state = WorkerSlot.State.GIVEN_UP;
            Log.info(who + " " + what + "; it was restarted "
                    + options.maxRestarts() + " times within " + RestartPolicy.WINDOW.toSeconds()
                    + "s, so it is given up (see its output above; raise max-restarts to keep trying)");
            checkAllGivenUp();
            return;
        }
        slot.state = WorkerSlot.State.WAITING_TO_RESTART;
        Log.info(who + " " + what + "; restarting in " + format(delay));
        scheduler.schedule(() -> start(slot), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkAllGivenUp() {
        for (WorkerSlot slot : slots) {
            if (slot.state != WorkerSlot.State.GIVEN_UP) {
                return;
            }
        }
        allGivenUp.run();
    }

    @Override
    public synchronized Session accept(int workerId, long pid, ControlConnection toWorker) {
        WorkerSlot slot = slotOf(workerId);
        if (slot == null) {
            return null;
        }
        WorkerProcess worker = null;
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
        checkReady(worker);
        WorkerProcess self = worker;
        return new Session() {
            @Override
            public void bound(InetSocketAddress requested, int actualPort) {
                if (!self.process.isAlive()) {
                    return;
                }
                self.bound(requested, actualPort);
                routing.bound(self, requested, actualPort);
                checkReady(self);
            }

            @Override
            public void unclustered(InetSocketAddress requested) {
                if (reportedUnclustered.add(requested)) {
                    Log.info("worker " + workerId + " binds " + requested.getAddress().getHostAddress() + ":"
                            + requested.getPort() + " itself: not clustered (port= option or a JMX port);"
                            + " if every worker binds it, all but one will fail");
                }
            }

            @Override
            public void unshared(InetSocketAddress requested, String why) {
                routing.cannotShare(self, requested, why);
            }

            @Override
            public void stats(ControlMessage.Stats stats) {
                self.stats = stats;
                checkMemory(self, stats);
            }

            @Override
            public void clientAddressFallbacks(long count) {
                self.clientAddressFallbacks = count;
            }

            @Override
            public void dumpLine(String text) {
                self.dumpLine(text);
            }

            @Override
            public void dumpEnd() {
                self.dumpEnd();
            }

            @Override
            public void closed() {
                self.control = null;
                // it exits or is about to: out of rotation now (this process's backends only, never its successor's)
                routing.withdraw(self);
            }
        };
    }

    // ---- readiness and health

    /** Starts probing {@code worker} once it serves every address the cluster listens on. */
    private synchronized void checkReady(WorkerProcess worker) {
        if (worker.state() != WorkerProcess.State.STARTING || worker.probing || !worker.connected
                || !worker.process.isAlive() || !servesEverything(worker)) {
            return;
        }
        worker.probing = true;
        probes.execute(() -> probeUntilReady(worker));
    }

    private boolean servesEverything(WorkerProcess worker) {
        return worker.boundAddresses().keySet().containsAll(routing.listening());
    }

    private int probeTimeoutMillis() {
        return (int) Math.max(100, options.healthInterval().toMillis() / 2);
    }

    /**
     * Null when {@code worker} is healthy, else why not. balancer=kernel: every worker listens on the same port, and
     * a connect would reach whichever one the kernel picks, so the probe asks /proc whether this process still holds
     * a listening socket on each port it bound (the same thing a tcp probe shows).
     */
    private String probe(WorkerProcess worker, int timeoutMillis) {
        Map<InetSocketAddress, Integer> bound = worker.boundAddresses();
        if (options.kernelBalancing()) {
            return ProcSockets.notListening(worker.pid(), Set.copyOf(bound.values()));
        }
        return HealthProbe.check(bound, options.healthPath(), timeoutMillis, clientAddresses);
    }

    private void probeUntilReady(WorkerProcess worker) {
        if (worker.state() != WorkerProcess.State.STARTING || !worker.process.isAlive()) {
            return;
        }
        String failure = probe(worker, probeTimeoutMillis());
        if (failure != null) {
            worker.lastProbeFailure = failure;
            probes.schedule(() -> probeUntilReady(worker), 200, TimeUnit.MILLISECONDS);
            return;
        }
        synchronized (this) {
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
        probes.schedule(() -> probeHealth(worker), options.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A ready worker's periodic probe. After a failure the next probe follows at half the interval, so a worker that
     * stopped answering is out of rotation within about interval + threshold x interval/2.
     */
    private void probeHealth(WorkerProcess worker) {
        if (worker.state() != WorkerProcess.State.READY || !worker.process.isAlive() || isStopping()) {
            return;
        }
        long started = System.nanoTime();
        int timeout = probeTimeoutMillis();
        String failure = probe(worker, timeout);
        if (worker.state() != WorkerProcess.State.READY || !worker.process.isAlive()) {
            return;
        }
        if (failure == null) {
            worker.failedProbes = 0;
            probes.schedule(() -> probeHealth(worker), options.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        worker.failedProbes++;
        Log.info(worker + " failed a health probe (" + worker.failedProbes + " of " + options.healthThreshold()
                + " in a row): " + failure);
        if (worker.failedProbes < options.healthThreshold()) {
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            probes.schedule(() -> probeHealth(worker), Math.max(0, timeout - elapsed), TimeUnit.MILLISECONDS);
            return;
        }
        Thread replace = new Thread(() -> replaceUnhealthy(worker), "jcluster-replace-w" + worker.id());
        replace.setDaemon(true);
        replace.start();
    }

    private synchronized boolean isStopping() {
        return stopping;
    }

    /** Out of rotation at once, its thread dump into the log, a replacement started, then the worker is stopped. */
    private void replaceUnhealthy(WorkerProcess worker) {
        synchronized (this) {
            if (worker.state() != WorkerProcess.State.READY) {
                return;
            }
            worker.state(WorkerProcess.State.DRAINING);
        }
        routing.withdraw(worker);
        Log.info(worker + " failed " + options.healthThreshold() + " health probes in a row; taken out of rotation;"
                + " asking it for a thread dump, then replacing it");
        logThreadDump(worker);
        synchronized (this) {
            WorkerSlot slot = slotOf(worker.id());
            if (slot != null && slot.current == worker && !stopping && slot.state == WorkerSlot.State.ACTIVE) {
                try {
                    WorkerProcess fresh = spawn(slot);
                    slot.current = fresh;
                    slot.restartCount++;
                    warnIfNeverReady(fresh);
                } catch (IOException e) {
                    Log.error("could not start a replacement for " + worker, e);
                }
            }
        }
        stop(worker, SIGTERM_GRACE_MILLIS / 2);
    }

    private void logThreadDump(WorkerProcess worker) {
        List<String> dump;
        try {
            dump = worker.requestThreadDump().get(DUMP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Log.info(worker + " sent no thread dump within " + DUMP_TIMEOUT_MILLIS / 1000 + "s (its JVM may be"
                    + " stuck at a safepoint, e.g. in a long GC)");
            return;
        } catch (ExecutionException e) {
            Log.info("no thread dump from " + worker + ": " + Log.describe(e.getCause()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add("thread dump of " + worker + ":");
        for (String line : dump) {
            lines.add("  " + line);
        }
        Log.infoLines(lines);
    }

    private void checkMemory(WorkerProcess worker, ControlMessage.Stats stats) {
        long limit = options.maxMemory();
        if (limit <= 0) {
            return;
        }
        synchronized (this) {
            if (stats.residentBytes() <= limit || worker.state() != WorkerProcess.State.READY) {
                worker.reportsAboveMemoryLimit = 0;
                return;
            }
            if (++worker.reportsAboveMemoryLimit < MEMORY_REPORTS || worker.replacementRequested) {
                return;
            }
            worker.replacementRequested = true;
        }
        Log.info(worker + " uses " + mebibytes(stats.residentBytes()) + " resident, above max-memory "
                + mebibytes(limit) + " for " + MEMORY_REPORTS + "s; replacing it (its replacement first)");
        operations.execute(() -> {
            synchronized (this) {
                WorkerSlot slot = slotOf(worker.id());
                if (slot == null || slot.current != worker) {
                    return;
                }
            }
            Outcome outcome = replace(slotOf(worker.id()), "max-memory");
            if (!outcome.ok()) {
                Log.info("max-memory replacement failed: " + outcome.message());
                worker.replacementRequested = false;
                worker.reportsAboveMemoryLimit = 0;
            }
        });
    }

    // ---- operations: reload, scale, restart

    /** Rolling reload: each worker in turn replaced by a fresh process from the same command line. */
    public CompletableFuture<Outcome> reload() {
        return exclusive("reload", this::reloadAll);
    }

    /** Starts or drains workers until {@code processes} serve. */
    public CompletableFuture<Outcome> scale(int processes) {
        if (processes < 1) {
            return CompletableFuture.completedFuture(Outcome.failed("processes=" + processes + ": expected a positive integer"));
        }
        return exclusive("scale", () -> scaleTo(processes));
    }

    /** Replaces one worker, its replacement ready first. */
    public CompletableFuture<Outcome> restart(int workerId) {
        return exclusive("restart", () -> {
            WorkerSlot slot;
            synchronized (this) {
                slot = slotOf(workerId);
            }
            if (slot == null) {
                return Outcome.failed("no worker " + workerId + " (workers are 0.." + (workerCount() - 1) + ")");
            }
            return replace(slot, "restart requested");
        });
    }

    private CompletableFuture<Outcome> exclusive(String name, java.util.function.Supplier<Outcome> operation) {
        if (!operationRunning.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(Outcome.failed("busy: another reload, scale or restart is"
                    + " running; try again when it is done"));
        }
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            operations.execute(() -> {
                Outcome outcome;
                try {
                    outcome = isStopping() ? Outcome.failed("the cluster is stopping") : operation.get();
                } catch (RuntimeException e) {
                    outcome = Outcome.failed(name + " failed: " + Log.describe(e));
                } finally {
                    operationRunning.set(false);
                }
                Log.info(name + (outcome.ok() ? " done: " : " FAILED: ") + outcome.message());
                result.complete(outcome);
            });
        } catch (RuntimeException e) {
            operationRunning.set(false);
            result.complete(Outcome.failed(name + " not started: " + Log.describe(e)));
        }
        return result;
    }

    private synchronized int workerCount() {
        return slots.size();
    }

    private Outcome reloadAll() {
        int count = workerCount();
        Log.info("reload: replacing " + count + " worker(s) one at a time");
        List<String> done = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            WorkerSlot slot;
            synchronized (this) {
                slot = slotOf(id);
            }
            if (slot == null) {
                break;
            }
            Outcome step = replace(slot, "reload");
            if (!step.ok()) {
                return Outcome.failed("reload stopped at worker " + id + ": " + step.message()
                        + (done.isEmpty() ? "" : "; already replaced: " + String.join(", ", done)));
            }
            done.add(step.message());
        }
        return Outcome.done("reloaded " + done.size() + " worker(s): " + String.join(", ", done));
    }

    /**
     * Starts a replacement for {@code slot}'s process; once it is ready (in rotation), drains and stops the old one.
     * If it is not ready within ready-timeout, it is stopped and the old process keeps serving.
     */
    private Outcome replace(WorkerSlot slot, String why) {
        WorkerProcess old;
        WorkerProcess fresh;
        synchronized (this) {
            if (stopping) {
                return Outcome.failed("the cluster is stopping");
            }
            if (slot.state == WorkerSlot.State.REMOVED) {
                return Outcome.failed("worker " + slot.id + " was scaled away");
            }
            old = slot.current;
            try {
                fresh = spawn(slot);
            } catch (IOException e) {
                return Outcome.failed("could not start a replacement for worker " + slot.id + " (" + Log.describe(e) + ")");
            }
            slot.pending = fresh;
        }
        String failure = awaitReady(fresh);
        if (failure != null) {
            synchronized (this) {
                if (slot.pending == fresh) {
                    slot.pending = null;
                }
            }
            stop(fresh, 2_000);
            String keeps = old != null && old.process.isAlive() ? "; " + old + " keeps serving" : "";
            return Outcome.failed("worker " + slot.id + "'s replacement (pid " + fresh.pid() + ") " + failure + keeps);
        }
        synchronized (this) {
            slot.pending = null;
            slot.current = fresh;
            slot.restartCount++;
            slot.state = WorkerSlot.State.ACTIVE;
        }
        String drained = old == null || !old.process.isAlive() ? "" : ", " + retire(old);
        return Outcome.done("worker " + slot.id + " pid " + (old == null ? "-" : old.pid()) + " -> " + fresh.pid()
                + " (" + why + drained + ")");
    }

    /** Null when ready in time, else why not. */
    private String awaitReady(WorkerProcess worker) {
        try {
            worker.ready.get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return "was not ready within ready-timeout " + format(options.readyTimeout()) + " (" + readinessGap(worker) + ")";
        } catch (ExecutionException e) {
            return e.getCause().getMessage() + " before it was ready (see its output above)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "was interrupted while waiting";
        }
    }

    /**
     * Takes {@code worker} out of rotation, waits until the balancer has no connection open to it (idle keep-alive
     * connections are let go between requests) or shutdown-timeout passes, then stops it. Returns what happened.
     */
    private String retire(WorkerProcess worker) {
        synchronized (this) {
            worker.state(WorkerProcess.State.DRAINING);
        }
        routing.withdraw(worker);
        long started = System.nanoTime();
        long deadline = started + options.shutdownTimeout().toNanos();
        sleep(100); // a connection that picked this worker just before the withdrawal is counted by now
        long open;
        while ((open = routing.openConnections(worker)) > 0 && worker.process.isAlive()
                && System.nanoTime() - deadline < 0) {
            routing.releaseIdle(List.of(worker));
            sleep(DRAIN_POLL_MILLIS);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        String drained = open > 0
                ? "stopped with " + open + " connection(s) still open after shutdown-timeout " + format(options.shutdownTimeout())
                : "drained in " + millis + "ms";
        Log.info(worker + " " + drained + "; stopping it");
        stop(worker, SIGTERM_GRACE_MILLIS);
        return "old one " + drained;
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code graceMillis}; returns once it exited. */
    private void stop(WorkerProcess worker, long graceMillis) {
        routing.stopping(worker);
        worker.process.destroy();
        try {
            if (!worker.process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                Log.info(worker + " did not exit within " + graceMillis / 1000 + "s of SIGTERM; killing it");
                worker.process.destroyForcibly();
                worker.process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.process.destroyForcibly();
        }
    }

    private Outcome scaleTo(int target) {
        int count = workerCount();
        if (target == count) {
            return Outcome.done("already " + count + " worker(s)");
        }
        if (target > count) {
            List<WorkerProcess> started = new ArrayList<>();
            synchronized (this) {
                if (stopping) {
                    return Outcome.failed("the cluster is stopping");
                }
                for (int id = count; id < target; id++) {
                    slots.add(new WorkerSlot(id, options.restartDelay(), options.maxRestarts()));
                }
                for (int id = count; id < target; id++) {
                    WorkerSlot slot = slots.get(id);
                    start(slot);
                    if (slot.current != null) {
                        started.add(slot.current);
                    }
                }
            }
            for (WorkerProcess worker : started) {
                String failure = awaitReady(worker);
                if (failure != null) {
                    List<WorkerSlot> removed = new ArrayList<>();
                    synchronized (this) {
                        while (slots.size() > count) {
                            WorkerSlot slot = slots.remove(slots.size() - 1);
                            slot.state = WorkerSlot.State.REMOVED;
                            removed.add(slot);
                        }
                    }
                    for (WorkerSlot slot : removed) {
                        if (slot.current != null) {
                            stop(slot.current, 2_000);
                        }
                    }
                    return Outcome.failed("scale to " + target + " undone: " + worker + " " + failure
                            + "; still " + count + " worker(s)");
                }
            }
            return Outcome.done("scaled up from " + count + " to " + target + " worker(s)");
        }
        List<String> retired = new ArrayList<>();
        for (int id = count - 1; id >= target; id--) {
            WorkerSlot slot;
            synchronized (this) {
                slot = slots.remove(slots.size() - 1);
                slot.state = WorkerSlot.State.REMOVED;
            }
            WorkerProcess worker = slot.current;
            if (slot.pending != null) {
                stop(slot.pending, 2_000);
            }
            if (worker != null && worker.process.isAlive()) {
                retired.add("worker " + id + " " + retire(worker));
            }
        }
        return Outcome.done("scaled down from " + count + " to " + target + " worker(s)"
                + (retired.isEmpty() ? "" : ": " + String.join("; ", retired)));
    }

    // ---- what the admin endpoint shows

    /** One process as the admin endpoint shows it. */
    public record WorkerInfo(WorkerProcess process, String state, int restarts, Integer lastExitStatus) {
    }

    /** Every worker process there is, by id: the serving one, a replacement being readied, draining ones. */
    public synchronized List<WorkerInfo> workers() {
        List<WorkerInfo> list = new ArrayList<>();
        List<WorkerProcess> listed = new ArrayList<>();
        for (WorkerSlot slot : slots) {
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
                list.add(new WorkerInfo(slot.pending, slot.pending.state().label(), slot.restartCount, slot.lastExitStatus));
                listed.add(slot.pending);
            }
        }
        for (WorkerProcess worker : alive) {
            if (!listed.contains(worker)) {
                WorkerSlot slot = slotOf(worker.id());
                list.add(new WorkerInfo(worker, worker.state().label(), slot == null ? 0 : slot.restartCount, null));
            }
        }
        list.sort(Comparator.comparingInt((WorkerInfo info) -> info.process().id())
                .thenComparingLong(info -> info.process().serial()));
        return list;
    }

    // ---- stopping

    /** No more restarts or operations from now on. */
    public synchronized void stopRestarting() {
        stopping = true;
    }

    /**
     * SIGTERM to every worker (their shutdown hooks run), then SIGKILL to those still alive at {@code deadlineNanos}.
     * Returns once every worker process has exited.
     */
    public void terminateAll(long deadlineNanos) {
        List<Process> running = new ArrayList<>();
        synchronized (this) {
            stopping = true;
            for (WorkerProcess worker : alive) {
                if (worker.process.isAlive()) {
                    routing.stopping(worker);
                    running.add(worker.process);
                }
            }
        }
        running.forEach(Process::destroy);
        for (Process process : running) {
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left <= 0 || !process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    Log.info("worker pid " + process.pid() + " did not exit in time; killing it");
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll();
                return;
            }
        }
        scheduler.shutdownNow();
        probes.shutdownNow();
        operations.shutdownNow();
        awaitRelays();
    }

    private void awaitRelays() {
        List<Thread> running;
        synchronized (this) {
            running = new ArrayList<>(relays);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Thread relay : running) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    relay.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** SIGKILL to every worker still alive, now. For a forced stop and for the parent's last breath. */
    public void killAll() {
        for (WorkerProcess worker : alive) {
            if (worker.process.isAlive()) {
                worker.process.destroyForcibly();
            }
        }
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String mebibytes(long bytes) {
        return bytes / (1024 * 1024) + " MiB";
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
