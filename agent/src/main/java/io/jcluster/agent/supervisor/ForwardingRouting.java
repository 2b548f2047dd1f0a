package io.jcluster.agent.supervisor;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Set;

/**
 * A {@link WorkerRouting} that passes every callback on to another, for the ones that watch the routing (leadership,
 * the service state) to override only what they add to. Every method is here, the interface's defaults too: a
 * watcher that did not pass one on would keep the routing from hearing of it.
 */
public abstract class ForwardingRouting implements WorkerRouting {

    protected final WorkerRouting routing;

    protected ForwardingRouting(WorkerRouting routing) {
        this.routing = routing;
    }

    @Override
    public void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort) {
        routing.bound(worker, requested, actualPort);
    }

    @Override
    public Set<InetSocketAddress> listening() {
        return routing.listening();
    }

    @Override
    public void admit(WorkerProcess worker) {
        routing.admit(worker);
    }

    @Override
    public void withdraw(WorkerProcess worker) {
        routing.withdraw(worker);
    }

    @Override
    public long openConnections(WorkerProcess worker) {
        return routing.openConnections(worker);
    }

    @Override
    public void releaseIdle(Collection<WorkerProcess> draining) {
        routing.releaseIdle(draining);
    }

    @Override
    public long served(WorkerProcess worker) {
        return routing.served(worker);
    }

    @Override
    public void gone(WorkerProcess worker) {
        routing.gone(worker);
    }

    @Override
    public void stopping(WorkerProcess worker) {
        routing.stopping(worker);
    }

    @Override
    public void cannotShare(WorkerProcess worker, InetSocketAddress requested, String why) {
        routing.cannotShare(worker, requested, why);
    }
}
