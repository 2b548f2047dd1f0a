package io.jcluster.agent.parent;

import io.jcluster.agent.admin.ClusterOperations;
import io.jcluster.agent.admin.ClusterStatus;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.jcluster.agent.cluster.ClusterHub;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.RunTimeValues;
import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.routing.WorkerTraffic;
import io.jcluster.agent.service.ServiceState;
import io.jcluster.agent.supervisor.Outcome;
import io.jcluster.agent.supervisor.Recycles;
import io.jcluster.agent.supervisor.Supervisor;
import io.jcluster.agent.supervisor.WorkerProcess;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The admin endpoint's view of the cluster: processes from the supervisor, traffic from the routing mode, the
 * Cluster API from its hub.
 */
final class AdminBridge implements ClusterOperations {

    private final Supervisor supervisor;
    private final RoutingMode routing;
    private final ClusterHub hub;
    private final boolean sharedSessions;
    /** Null without a response cache. */
    private final CachePurges purges;
    private final ServiceState service;
    /** The options the cluster runs with now (a SIGHUP may have changed some); null: not shown. */
    private final Supplier<Options> running;

    /**
     * @param sharedSessions sessions=shared: /status and /metrics show the session store
     * @param purges         null without a response cache
     * @param service        whether the cluster is ready (GET /ready)
     */
    AdminBridge(Supervisor supervisor, RoutingMode routing, ClusterHub hub, boolean sharedSessions,
                CachePurges purges, ServiceState service) {
        this(supervisor, routing, hub, sharedSessions, purges, service, null);
    }

    /** @param running the options the cluster runs with now: /status and /metrics show their run-time values */
    AdminBridge(Supervisor supervisor, RoutingMode routing, ClusterHub hub, boolean sharedSessions,
                CachePurges purges, ServiceState service, Supplier<Options> running) {
        this.running = running;
        this.supervisor = supervisor;
        this.routing = routing;
        this.hub = hub;
        this.sharedSessions = sharedSessions;
        this.purges = purges;
        this.service = service;
    }

    @Override
    public Readiness readiness() {
        ServiceState.Readiness readiness = service.readiness();
        return new Readiness(readiness.ready(), readiness.message());
    }

    @Override
    public ClusterStatus status() {
        List<ClusterStatus.ListenerView> listeners = new ArrayList<>();
        for (ListenerStats stats : routing.listenerStats()) {
            listeners.add(new ClusterStatus.ListenerView(Balancer.describe(stats.address()), stats.connectionsTotal(),
                    stats.openConnections(), stats.refusedTotal(), stats.bytesFromClients(), stats.bytesToClients(),
                    stats.queueLength()));
        }
        listeners.sort(Comparator.comparing(ClusterStatus.ListenerView::address));
        double[] bounds = LatencyHistogram.boundsSeconds();
        List<ClusterStatus.WorkerView> workers = new ArrayList<>();
        for (Supervisor.WorkerInfo info : supervisor.workers()) {
            WorkerProcess process = info.process();
            WorkerTraffic traffic = routing.traffic(process);
            ControlMessage.Stats stats = process.stats();
            Recycles recycles = supervisor.recycles(process.id());
            workers.add(new ClusterStatus.WorkerView(process.id(), process.pid(), info.state(), process.uptimeMillis(),
                    info.restarts(), info.lastExitStatus(), traffic.openConnections(), traffic.connectionsTotal(),
                    traffic.requests(), traffic.bytesFromClients(), traffic.bytesToClients(),
                    stats == null ? -1 : stats.residentBytes(), stats == null ? -1 : stats.heapUsedBytes(),
                    stats == null ? -1 : stats.gcMillis(), stats == null ? -1 : stats.threads(), bounds,
                    traffic.latencyBuckets(), traffic.latencySumNanos(), process.clientAddressFallbacks(),
                    recycles.maxRequests(), recycles.maxAge()));
        }
        RoutingMode.Description mode = routing.description();
        return new ClusterStatus(supervisor.uptimeMillis(), mode.strategy(), mode.protocol(), mode.transport(),
                listeners, workers, clusterApi(hub.view()), sharedSessions ? sessions(hub.sessions()) : null,
                ClusterStatus.CacheView.of(routing.cache()), ClusterStatus.AccessLogView.of(routing.accessLog()),
                settings());
    }

    /** The run-time options' values now, but processes (the workers listed are the truth) and strategy (shown). */
    private Map<String, String> settings() {
        if (running == null) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>(RunTimeValues.of(running.get()));
        values.remove("processes");
        values.remove("strategy");
        return values;
    }

    static ClusterStatus.SessionsView sessions(ClusterHub.SessionsView view) {
        ClusterFrame.SessionCounts counts = view.counts();
        return new ClusterStatus.SessionsView(view.stored(), counts.reads(), counts.readBytes(), counts.writes(),
                counts.writeBytes(), counts.removes(), counts.keptLocal(), counts.storeFailures(), view.evictions());
    }

    @Override
    public int purgeCache(String path, boolean prefix) {
        return purges == null ? -1 : purges.purge(path, prefix);
    }

    static ClusterStatus.ClusterApiView clusterApi(ClusterHub.View view) {
        List<ClusterStatus.ClusterWorkerView> workers = new ArrayList<>();
        for (ClusterHub.WorkerView worker : view.workers()) {
            workers.add(new ClusterStatus.ClusterWorkerView(worker.id(), worker.pid(), worker.offloadThreads(),
                    worker.offloadBusy(), worker.offloadQueued(), worker.offloadRejected(), worker.droppedInParent(),
                    worker.droppedInWorker()));
        }
        return new ClusterStatus.ClusterApiView(view.store(), view.storeUp(), view.storeDetail(), view.mapEntries(),
                view.mapBytes(), view.mapEvictions(), view.mapOperations(), view.messagesPublished(),
                view.messagesDelivered(), view.messagesDropped(), view.storeDropped(), view.leader(), workers);
    }

    @Override
    public CompletableFuture<Result> reload() {
        return supervisor.reload().thenApply(AdminBridge::result);
    }

    @Override
    public CompletableFuture<Result> scale(int processes) {
        return supervisor.scale(processes).thenApply(AdminBridge::result);
    }

    @Override
    public CompletableFuture<Result> restart(int workerId) {
        return supervisor.restart(workerId).thenApply(AdminBridge::result);
    }

    private static Result result(Outcome outcome) {
        return new Result(switch (outcome.kind()) {
            case DONE -> Result.Status.DONE;
            case FAILED -> Result.Status.FAILED;
            case BUSY -> Result.Status.BUSY;
        }, outcome.message());
    }
}
