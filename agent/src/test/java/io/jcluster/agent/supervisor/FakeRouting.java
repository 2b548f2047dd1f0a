package io.jcluster.agent.supervisor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Records what the supervisor puts in and takes out of rotation; open connections are set by the test. */
final class FakeRouting implements WorkerRouting {

    final Set<InetSocketAddress> served = ConcurrentHashMap.newKeySet();
    final Set<Long> admitted = ConcurrentHashMap.newKeySet();
    final List<Long> withdrawn = new ArrayList<>();
    final Map<Long, Long> open = new ConcurrentHashMap<>();
    /** What max-requests counts, by pid; set by the test. */
    final Map<Long, Long> passed = new ConcurrentHashMap<>();

    boolean admitted(FakeProcess process) {
        return admitted.contains(process.pid());
    }

    @Override
    public void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort) {
        served.add(requested);
    }

    @Override
    public Set<InetSocketAddress> listening() {
        return Set.copyOf(served);
    }

    @Override
    public void admit(WorkerProcess worker) {
        admitted.add(worker.pid());
    }

    @Override
    public synchronized void withdraw(WorkerProcess worker) {
        if (admitted.remove(worker.pid())) {
            withdrawn.add(worker.pid());
        }
    }

    @Override
    public long openConnections(WorkerProcess worker) {
        return open.getOrDefault(worker.pid(), 0L);
    }

    @Override
    public long served(WorkerProcess worker) {
        return passed.getOrDefault(worker.pid(), 0L);
    }

    @Override
    public void releaseIdle(Collection<WorkerProcess> draining) {
    }

    @Override
    public void gone(WorkerProcess worker) {
        withdraw(worker);
    }
}
