package io.jcluster.agent;

import io.jcluster.agent.admin.AdminServer;
import io.jcluster.agent.admin.ClusterOperations;
import io.jcluster.agent.admin.ClusterStatus;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.Transport;
import io.jcluster.agent.balancer.ConnectionLimit;
import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.http.HttpFrontend;
import io.jcluster.agent.http.TlsContext;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.ControlServer;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.CommandLine;
import io.jcluster.agent.supervisor.Outcome;
import io.jcluster.agent.supervisor.probe.Probe;
import io.jcluster.agent.supervisor.StopSignals;
import io.jcluster.agent.supervisor.Supervisor;
import io.jcluster.agent.supervisor.WorkerCommand;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.agent.supervisor.WorkerRouting;
import io.jcluster.agent.supervisor.WorkerShares;
import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the parent JVM runs instead of the app: the launcher is redirected here by {@link Premain}. Wires the
 * control channel, the supervisor, the balancer and the admin endpoint together, then waits for SIGTERM or SIGINT
 * (SIGHUP reloads).
 */
public final class ParentMain implements WorkerRouting, ClusterOperations {

    private static final int NOT_STOPPING = -1;

    private static volatile Options options;
    /** The admin endpoint's token (from the options, a file or the environment), or null. */
    private static volatile String adminToken;

    private final Options config;
    private final Balancer balancer;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean signalsHandled;
    private final AtomicInteger exitStatus = new AtomicInteger(NOT_STOPPING);
    private volatile Supervisor supervisor;
    /** Each worker process's backends (by its serial), by the address it serves. */
    private final Map<Long, Map<InetSocketAddress, Backend>> backends = new ConcurrentHashMap<>();
    /** Every address a worker reported binding: a worker is ready once it serves all of them. */
    private final Set<InetSocketAddress> served = ConcurrentHashMap.newKeySet();
    /** Serials of the worker processes in rotation. */
    private final Set<Long> admitted = ConcurrentHashMap.newKeySet();
    /** balancer=kernel: the workers share the app's ports and the balancer stays idle; null with balancer=proxy. */
    private final KernelRouting kernel;

    private ParentMain(Options config, Balancer balancer) {
        this.config = config;
        this.balancer = balancer;
        this.kernel = config.kernelBalancing() ? new KernelRouting(config, why -> requestStop(1, why)) : null;
    }

    static void prepare(Options parsed, String token) {
        options = parsed;
        adminToken = token;
    }

    /** @param appArguments the app's arguments; the workers get them through the command line */
    public static void main(String[] appArguments) throws Exception {
        Options parsed = options;
        if (parsed == null) {
            System.err.println("jcluster: io.jcluster.agent.ParentMain is started by the jcluster agent, not by hand;"
                    + " run: java -javaagent:jcluster.jar=processes=N <your usual command line>");
            System.exit(2);
        }
        Frontend frontend = Frontend.tcp(parsed.tcpIdleTimeout());
        if (parsed.mode() == Options.Mode.HTTP) {
            try {
                frontend = HttpFrontend.of(parsed, true); // each worker learns its clients' addresses
            } catch (TlsContext.TlsException e) {
                System.err.println("jcluster: " + e.getMessage());
                System.exit(2);
            }
        }
        Transport transport = null;
        try {
            transport = Transport.choose(parsed.transport());
        } catch (Transport.UnavailableException e) {
            System.err.println("jcluster: " + e.getMessage());
            System.exit(2);
        }
        ConnectionLimit limit = new ConnectionLimit(parsed.maxConnections(), parsed.maxQueue(), parsed.queueTimeout());
        int status = 1;
        try {
            status = new ParentMain(parsed, Balancer.start(parsed.strategy(), frontend, limit, transport)).run();
        } catch (Throwable failure) {
            // the event loops' threads would keep a parent whose main failed alive forever, serving nothing
            Log.error("the parent failed and stops (a NoClassDefFoundError here usually means jcluster.jar was"
                    + " overwritten while running: deploy a new jar by renaming it into place)", failure);
        } finally {
            System.exit(status);
        }
    }

    private int run() throws IOException, InterruptedException {
        if (balancer.transportNote() != null && kernel == null) {
            Log.info(balancer.transportNote());
        }
        AdminServer admin = null;
        try (ControlServer control = ControlServer.open()) {
            prepareWorkerHooks(control);
            List<String> argv = CommandLine.current();
            WorkerShares shares = WorkerShares.of(argv, System.getenv(), config.processes(),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory());
            shares.notes().forEach(Log::info);
            WorkerCommand command = new WorkerCommand(argv, control.directory()).adding(shares.flags());
            logDifferences(command);
            supervisor = new Supervisor(config, command, control.socketPath(), control.secret(),
                    kernel == null ? this : kernel, kernel == null ? Probe.connecting(config.healthPath()) : Probe.listening(),
                    () -> requestStop(1, "every worker was given up; nothing is left to serve"));
            if (kernel == null) {
                publishClientAddresses(control);
            }
            if (config.adminEnabled()) {
                try {
                    admin = AdminServer.start(config.admin(), adminToken, config.maxProcesses(), this);
                    Log.info("admin endpoint on http://" + Balancer.describe(config.admin())
                            + (adminToken == null ? "" : " (token required)"));
                } catch (IOException | RuntimeException e) {
                    Log.info("cannot open the admin endpoint on " + Balancer.describe(config.admin()) + " ("
                            + Log.describe(e) + "; is another process using that port?); stopping");
                    return 1;
                }
            }
            control.serve(supervisor);
            signalsHandled = StopSignals.install(this::stopSignal);
            StopSignals.installReload(this::reloadSignal);
            Runtime.getRuntime().addShutdownHook(new Thread(this::jvmShuttingDown, "jcluster-shutdown"));
            supervisor.startAll();
            stop.await();
            return shutDown();
        } finally {
            if (admin != null) {
                admin.close();
            }
            balancer.close();
            stopped.countDown();
        }
    }

    private static void prepareWorkerHooks(ControlServer control) {
        try {
            AgentInstaller.prepareBindHooks(control.directory());
        } catch (IOException | RuntimeException e) {
            Log.error("could not prepare the workers' bind hooks (each worker will instrument itself, starting"
                    + " slower)", e);
        }
    }

    /**
     * The workers show the app each client's real address as its peer, looked up in a table the balancer fills in
     * (balancer=kernel needs none: the workers accept the clients themselves).
     */
    private void publishClientAddresses(ControlServer control) {
        try {
            ClientAddressTable table = ClientAddressTable.create(control.directory());
            balancer.publishClientAddresses(table);
            supervisor.markProbesIn(table);
        } catch (IOException | RuntimeException e) {
            Log.error("could not create the table of client addresses (the apps will see 127.0.0.1 as every"
                    + " client's address)", e);
        }
    }

    private void stopSignal(String signal) {
        if (!requestStop(0, signal + " received")) {
            Log.info(signal + " received again: killing the workers now");
            supervisor.killAll();
            Runtime.getRuntime().halt(1);
        }
    }

    private void reloadSignal() {
        Log.info("SIGHUP received: rolling reload");
        supervisor.reload(); // the supervisor logs how it ended
    }

    /**
     * Without signal handlers, SIGTERM/SIGINT arrive here: the graceful stop runs on the main thread while this hook
     * waits, then the hook ends the JVM with the right status. In every case no worker outlives this JVM.
     */
    private void jvmShuttingDown() {
        if (!signalsHandled && requestStop(0, "SIGTERM or SIGINT received")) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            supervisor.killAll();
            Runtime.getRuntime().halt(exitStatus.get());
        }
        supervisor.killAll();
    }

    private int shutDown() throws InterruptedException {
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        supervisor.stopRestarting();
        long open;
        if (kernel == null) {
            balancer.stopAccepting();
            open = balancer.drain(deadline);
        } else {
            kernel.stopAccepting();
            open = kernel.drain(deadline);
        }
        if (open > 0) {
            Log.info(open + " connection(s) still open after shutdown-timeout " + config.shutdownTimeout().toSeconds()
                    + "s; closing them");
        }
        // workers get at least a second for their shutdown hooks, even when draining used up the timeout
        supervisor.terminateAll(Math.max(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
        Log.info("stopped");
        return exitStatus.get();
    }

    /** Returns false when a stop was already under way. */
    private boolean requestStop(int status, String why) {
        if (!exitStatus.compareAndSet(NOT_STOPPING, status)) {
            return false;
        }
        Log.info(why + "; stopping (up to " + config.shutdownTimeout().toSeconds() + "s for open connections)");
        stop.countDown();
        return true;
    }

    private void logDifferences(WorkerCommand command) {
        for (int id = 0; id < config.processes(); id++) {
            List<String> differences = command.differences(id);
            if (!differences.isEmpty()) {
                Log.info("worker " + id + " runs with " + String.join(" ", differences)
                        + " (per-process ports and files differ from the parent's)");
            }
        }
    }

    // ---- WorkerRouting: worker processes to balancer backends

    @Override
    public void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort) {
        served.add(requested);
        Backend backend = new Backend(worker.id(), new InetSocketAddress(InetAddress.getLoopbackAddress(), actualPort));
        backends.computeIfAbsent(worker.serial(), serial -> new ConcurrentHashMap<>()).put(requested, backend);
        if (admitted.contains(worker.serial())) {
            serve(requested, backend);
        }
    }

    @Override
    public Set<InetSocketAddress> listening() {
        return Set.copyOf(served);
    }

    @Override
    public void admit(WorkerProcess worker) {
        admitted.add(worker.serial());
        backendsOf(worker).forEach(this::serve);
    }

    /**
     * Puts {@code backend} in rotation, opening the listener for {@code requested} first if this is its first ready
     * backend: a listener opens only when a worker can take its connections.
     */
    private void serve(InetSocketAddress requested, Backend backend) {
        try {
            if (balancer.listen(requested, backend)) {
                Log.info("listening on " + Balancer.describe(requested) + " -> " + config.processes()
                        + (config.processes() == 1 ? " worker (" : " workers (")
                        + config.strategy().optionValue() + ", " + balancer.frontendName() + ", "
                        + balancer.transportName()
                        + (config.maxConnections() > 0 ? ", max-connections=" + config.maxConnections() : "") + ")");
            }
        } catch (IOException | RuntimeException e) {
            requestStop(1, "cannot listen on " + Balancer.describe(requested) + " (" + Log.describe(e)
                    + "; is another server using that port?)");
            return;
        }
        balancer.admit(requested, backend);
    }

    @Override
    public void withdraw(WorkerProcess worker) {
        admitted.remove(worker.serial());
        backendsOf(worker).values().forEach(balancer::withdraw);
    }

    @Override
    public long openConnections(WorkerProcess worker) {
        long open = 0;
        for (Backend backend : backendsOf(worker).values()) {
            open += backend.openConnections();
        }
        return open;
    }

    @Override
    public void releaseIdle(Collection<WorkerProcess> draining) {
        List<Backend> all = new ArrayList<>();
        draining.forEach(worker -> all.addAll(backendsOf(worker).values()));
        balancer.releaseIdle(Set.copyOf(all));
    }

    @Override
    public void gone(WorkerProcess worker) {
        withdraw(worker);
        backends.remove(worker.serial());
    }

    private Map<InetSocketAddress, Backend> backendsOf(WorkerProcess worker) {
        return backends.getOrDefault(worker.serial(), Map.of());
    }

    // ---- ClusterOperations: the admin endpoint

    @Override
    public ClusterStatus status() {
        List<ClusterStatus.ListenerView> listeners = new ArrayList<>();
        for (ListenerStats stats : balancer.listenerStats()) {
            listeners.add(new ClusterStatus.ListenerView(Balancer.describe(stats.address()), stats.connectionsTotal(),
                    stats.openConnections(), stats.refusedTotal(), stats.bytesFromClients(), stats.bytesToClients(),
                    stats.queueLength()));
        }
        listeners.sort((a, b) -> a.address().compareTo(b.address()));
        double[] bounds = LatencyHistogram.boundsSeconds();
        List<ClusterStatus.WorkerView> workers = new ArrayList<>();
        for (Supervisor.WorkerInfo info : supervisor.workers()) {
            WorkerProcess process = info.process();
            long open = 0;
            long total = 0;
            long requests = 0;
            long in = 0;
            long out = 0;
            long sum = 0;
            long[] buckets = new long[bounds.length + 1];
            for (Backend backend : backendsOf(process).values()) {
                open += backend.openConnections();
                total += backend.connectionsTotal();
                in += backend.bytesFromClients();
                out += backend.bytesToClients();
                LatencyHistogram latency = backend.requests();
                requests += latency.count();
                sum += latency.sumNanos();
                long[] counts = latency.cumulativeCounts();
                for (int i = 0; i < buckets.length; i++) {
                    buckets[i] += counts[i];
                }
            }
            if (kernel != null) {
                open = process.sharedPortConnections();
            }
            ControlMessage.Stats stats = process.stats();
            workers.add(new ClusterStatus.WorkerView(process.id(), process.pid(), info.state(), process.uptimeMillis(),
                    info.restarts(), info.lastExitStatus(), open, total, requests, in, out,
                    stats == null ? -1 : stats.residentBytes(), stats == null ? -1 : stats.heapUsedBytes(),
                    stats == null ? -1 : stats.gcMillis(), stats == null ? -1 : stats.threads(), bounds, buckets, sum,
                    process.clientAddressFallbacks()));
        }
        if (kernel != null) {
            return new ClusterStatus(supervisor.uptimeMillis(), "kernel", "tcp", "SO_REUSEPORT", listeners, workers);
        }
        return new ClusterStatus(supervisor.uptimeMillis(), config.strategy().optionValue(), config.mode() == Options.Mode.HTTP ? "http" : "tcp",
                balancer.transportName(), listeners, workers);
    }

    @Override
    public CompletableFuture<Result> reload() {
        return supervisor.reload().thenApply(ParentMain::result);
    }

    @Override
    public CompletableFuture<Result> scale(int processes) {
        return supervisor.scale(processes).thenApply(ParentMain::result);
    }

    @Override
    public CompletableFuture<Result> restart(int workerId) {
        return supervisor.restart(workerId).thenApply(ParentMain::result);
    }

    private static Result result(Outcome outcome) {
        return new Result(switch (outcome.kind()) {
            case DONE -> Result.Status.DONE;
            case FAILED -> Result.Status.FAILED;
            case BUSY -> Result.Status.BUSY;
        }, outcome.message());
    }
}
