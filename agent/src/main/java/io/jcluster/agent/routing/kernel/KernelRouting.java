package io.jcluster.agent.routing.kernel;

import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.routing.WorkerTraffic;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.agent.supervisor.probe.Probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * balancer=kernel: the workers bind the app's ports themselves with SO_REUSEPORT and the kernel spreads new
 * connections over them; the parent opens no listener and relays no byte. What stays is the bookkeeping the
 * supervisor needs: which addresses the cluster serves (readiness, reloads), taking a worker out of rotation (it
 * closes its shared listening sockets), and counting its open connections while it drains (from /proc).
 */
public final class KernelRouting implements RoutingMode {

    private static final long DRAIN_POLL_MILLIS = 200;
    /** Linux 5.14+: 1 = connections queued to a closing SO_REUSEPORT listener move to another one of its group. */
    private static final Path MIGRATE_REQUESTS = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    private final Options config;
    /** Stops the parent with status 1 and this reason. */
    private final Consumer<String> fail;
    private final Set<InetSocketAddress> served = ConcurrentHashMap.newKeySet();
    private final Set<InetSocketAddress> announced = ConcurrentHashMap.newKeySet();
    /** Every worker process that reported a shared bind and has not exited, by serial. */
    private final Map<Long, WorkerProcess> workers = new ConcurrentHashMap<>();
    /** Serials of the worker processes the supervisor found ready. */
    private final Set<Long> admitted = ConcurrentHashMap.newKeySet();

    public KernelRouting(Options config, Consumer<String> fail) {
        this.config = config;
        this.fail = fail;
    }

    /** The workers accept their clients themselves, so their peers are real already: no client-address table. */
    @Override
    public void prepareWorkers(Path directory, Probe probe) {
    }

    /** A connect to the shared port would reach whichever worker the kernel picks: /proc is asked instead. */
    @Override
    public Probe probe() {
        return Probe.listening();
    }

    @Override
    public void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort) {
        served.add(requested);
        workers.put(worker.serial(), worker);
        if (admitted.contains(worker.serial())) {
            announce(requested); // a worker is ready before it binds anything when the app binds late
        }
    }

    @Override
    public Set<InetSocketAddress> listening() {
        return Set.copyOf(served);
    }

    /** The worker already takes connections since its bind; this only says so, once per address. */
    @Override
    public void admit(WorkerProcess worker) {
        admitted.add(worker.serial());
        served.forEach(this::announce);
    }

    private void announce(InetSocketAddress address) {
        if (!announced.add(address)) {
            return;
        }
        Log.info("listening on " + Balancer.describe(address) + " -> " + config.supervisor().processes()
                + (config.supervisor().processes() == 1 ? " worker" : " workers") + " (kernel SO_REUSEPORT, no proxy)");
        if (announced.size() == 1 && "0".equals(readSysctl(MIGRATE_REQUESTS))) {
            Log.info("note: connections the kernel has queued to a worker that stops (reload, scale, restart) are"
                    + " reset with its socket; sysctl net.ipv4.tcp_migrate_req=1 moves them to another worker instead");
        }
    }

    private static String readSysctl(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException | RuntimeException e) {
            return null; // a kernel older than 5.14 has no such setting
        }
    }

    @Override
    public void withdraw(WorkerProcess worker) {
        worker.unlisten();
    }

    @Override
    public long openConnections(WorkerProcess worker) {
        return worker.sharedPortConnections();
    }

    /** Idle keep-alive connections cannot be told from busy ones from here: the app closes them as it stops. */
    @Override
    public void releaseIdle(Collection<WorkerProcess> draining) {
    }

    @Override
    public void gone(WorkerProcess worker) {
        workers.remove(worker.serial());
        admitted.remove(worker.serial());
    }

    @Override
    public void stopping(WorkerProcess worker) {
        worker.unlisten();
    }

    @Override
    public void cannotShare(WorkerProcess worker, InetSocketAddress requested, String why) {
        fail.accept("balancer=kernel: " + worker + " cannot share " + Balancer.describe(requested)
                + " with SO_REUSEPORT (" + why + "); this server stack needs balancer=proxy");
    }

    @Override
    public Description description() {
        return new Description("kernel", "tcp", "SO_REUSEPORT");
    }

    /** The parent opens no listener. */
    @Override
    public List<ListenerStats> listenerStats() {
        return List.of();
    }

    /** The parent sees none of the bytes; /proc tells how many connections the worker holds. */
    @Override
    public WorkerTraffic traffic(WorkerProcess worker) {
        return new WorkerTraffic(worker.sharedPortConnections(), 0, 0, 0, 0,
                new long[LatencyHistogram.boundsSeconds().length + 1], 0);
    }

    /** Shutdown: every worker closes its shared listening sockets; the port refuses new connections from now on. */
    @Override
    public void stopAccepting() {
        workers.values().forEach(WorkerProcess::unlisten);
    }

    /** Waits until the workers hold no accepted connection, or the deadline; returns how many are still open. */
    @Override
    public long drain(long deadlineNanos) {
        sleep(100); // the workers close their listeners meanwhile
        long open;
        while ((open = open()) > 0 && System.nanoTime() - deadlineNanos < 0) {
            sleep(DRAIN_POLL_MILLIS);
        }
        return open;
    }

    private long open() {
        long open = 0;
        for (WorkerProcess worker : workers.values()) {
            open += worker.sharedPortConnections();
        }
        return open;
    }

    @Override
    public void close() {
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
