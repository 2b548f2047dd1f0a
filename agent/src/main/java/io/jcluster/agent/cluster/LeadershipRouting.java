package io.jcluster.agent.cluster;

import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.ForwardingRouting;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.agent.supervisor.WorkerRouting;

import java.time.Duration;

/**
 * The supervisor's routing callbacks, passed on unchanged, and told to the cluster hub as well: admission to rotation
 * makes a worker a leadership candidate, leaving rotation or stopping takes leadership away, and the hub learns
 * when the worker count may have changed (scale). {@link #stopping} waits (bounded) until a leader has run its
 * {@code lost} callbacks, so they run before SIGTERM.
 */
public final class LeadershipRouting extends ForwardingRouting {

    static final Duration RELEASE_WAIT = Duration.ofSeconds(10);

    private final ClusterHub hub;
    private final Duration releaseWait;

    public LeadershipRouting(WorkerRouting routing, ClusterHub hub) {
        this(routing, hub, RELEASE_WAIT);
    }

    LeadershipRouting(WorkerRouting routing, ClusterHub hub, Duration releaseWait) {
        super(routing);
        this.hub = hub;
        this.releaseWait = releaseWait;
    }

    @Override
    public void admit(WorkerProcess worker) {
        routing.admit(worker);
        hub.leadership().admitted(worker.id(), worker.pid());
        hub.workerCountMayHaveChanged();
    }

    @Override
    public void withdraw(WorkerProcess worker) {
        routing.withdraw(worker);
        hub.leadership().withdrawn(worker.pid());
        hub.workerCountMayHaveChanged();
    }

    @Override
    public void gone(WorkerProcess worker) {
        routing.gone(worker);
        hub.leadership().gone(worker.pid());
        hub.workerCountMayHaveChanged();
    }

    @Override
    public void stopping(WorkerProcess worker) {
        routing.stopping(worker);
        try {
            if (!hub.leadership().stoppingAwaitRelease(worker.pid(), releaseWait)) {
                Log.info(worker + " did not give leadership up within " + releaseWait.toSeconds()
                        + "s; stopping it anyway (the next leader is chosen once it exited)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
