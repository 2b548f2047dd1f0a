package io.jcluster.agent.routing.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.ConnectionLimit;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.routing.WorkerTraffic;
import io.jcluster.agent.supervisor.probe.Probe;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * balancer=proxy: the parent listens on the app's addresses and balances over the workers' private ports. Each port
 * a worker reports becomes a backend of that worker process; the backends enter rotation when the supervisor admits
 * the process, and the listener of an address opens with its first admitted backend, so no connection is accepted
 * while no worker can take it.
 */
public final class ProxyRouting implements RoutingMode {

    /** The options it runs with: those of the launch, then of each SIGHUP that changed any ({@link #reconfigure}). */
    private volatile Options options;
    private final Balancer balancer;
    private final ResponseCache cache;
    private final AccessLog accessLog;
    /** Stops the parent with status 1 and this reason. */
    private final Consumer<String> fail;
    /** Each worker process's backends (by its serial), by the address it serves. */
    private final Map<Long, Map<InetSocketAddress, Backend>> backends = new ConcurrentHashMap<>();
    /** Every address a worker reported binding: a worker is ready once it serves all of them. */
    private final Set<InetSocketAddress> served = ConcurrentHashMap.newKeySet();
    /** Serials of the worker processes in rotation. */
    private final Set<Long> admitted = ConcurrentHashMap.newKeySet();

    public ProxyRouting(Options options, Balancer balancer, Consumer<String> fail) {
        this(options, balancer, null, fail);
    }

    /** @param cache the balancer's response cache (ProxyFrontends.cache()), or null */
    public ProxyRouting(Options options, Balancer balancer, ResponseCache cache, Consumer<String> fail) {
        this(options, balancer, cache, null, fail);
    }

    /**
     * @param cache     the balancer's response cache (ProxyFrontends.cache()), or null
     * @param accessLog its access log (ProxyFrontends.accessLog()), or null
     */
    public ProxyRouting(Options options, Balancer balancer, ResponseCache cache, AccessLog accessLog,
                        Consumer<String> fail) {
        this.options = options;
        this.balancer = balancer;
        this.cache = cache;
        this.accessLog = accessLog;
        this.fail = fail;
        if (balancer.transportNote() != null) {
            Log.info(balancer.transportNote());
        }
    }

    /**
     * The workers show the app each client's real address as its peer, looked up in a table the balancer fills in;
     * the supervisor's probes mark themselves there as the parent's own connections.
     */
    @Override
    public void prepareWorkers(Path directory, Probe probe) {
        try {
            ClientAddressTable table = ClientAddressTable.create(directory);
            balancer.publishClientAddresses(table);
            probe.markIn(table);
        } catch (IOException | RuntimeException e) {
            Log.error("could not create the table of client addresses (the apps will see 127.0.0.1 as every"
                    + " client's address)", e);
        }
    }

    @Override
    public Probe probe() {
        return Probe.connecting(options.health().path());
    }

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

    /** Puts {@code backend} in rotation, opening the listener for {@code requested} first if it is not open yet. */
    private void serve(InetSocketAddress requested, Backend backend) {
        try {
            if (balancer.listen(requested, backend)) {
                Log.info("listening on " + Balancer.describe(requested) + " -> " + options.supervisor().processes()
                        + (options.supervisor().processes() == 1 ? " worker (" : " workers (")
                        + ProxyFrontends.settings(balancer, options) + ")");
            }
        } catch (IOException | RuntimeException e) {
            fail.accept("cannot listen on " + Balancer.describe(requested) + " (" + Log.describe(e)
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

    /** Requests in http mode (those that completed), connections in tcp mode. */
    @Override
    public long served(WorkerProcess worker) {
        boolean http = options.proxy().mode() != Options.Mode.TCP; // grpc counts calls
        long served = 0;
        for (Backend backend : backendsOf(worker).values()) {
            served += http ? backend.requests().count() : backend.connectionsTotal();
        }
        return served;
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

    @Override
    public Description description() {
        return new Description(balancer.strategy().optionValue(), options.proxy().mode().optionValue(),
                balancer.transportName());
    }

    @Override
    public void reconfigure(Options next) {
        options = next;
        if (next.proxy().strategy() != balancer.strategy()) {
            balancer.strategy(next.proxy().strategy());
        }
        ConnectionLimit limit = new ConnectionLimit(next.proxy().maxConnections(), next.proxy().maxQueue(),
                next.proxy().queueTimeout());
        if (!limit.equals(balancer.limit())) {
            balancer.limit(limit);
        }
        balancer.frontend().reconfigure(next);
    }

    @Override
    public List<ListenerStats> listenerStats() {
        return balancer.listenerStats();
    }

    @Override
    public WorkerTraffic traffic(WorkerProcess worker) {
        long open = 0;
        long total = 0;
        long requests = 0;
        long in = 0;
        long out = 0;
        long sum = 0;
        long[] buckets = new long[LatencyHistogram.boundsSeconds().length + 1];
        for (Backend backend : backendsOf(worker).values()) {
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
        return new WorkerTraffic(open, total, requests, in, out, buckets, sum);
    }

    @Override
    public void stopAccepting() {
        balancer.stopAccepting();
    }

    @Override
    public long drain(long deadlineNanos) throws InterruptedException {
        return balancer.drain(deadlineNanos);
    }

    @Override
    public void close() {
        balancer.close();
        if (cache != null) {
            cache.close();
        }
    }

    @Override
    public ResponseCache cache() {
        return cache;
    }

    @Override
    public AccessLog accessLog() {
        return accessLog;
    }
}
