package io.jcluster.agent.supervisor;

import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.log.Log;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/** What one worker process tells the parent over its control channel, passed on to routing, health and memory. */
final class WorkerSession implements ControlListener.Session {

    private final WorkerProcess worker;
    private final WorkerRouting routing;
    private final HealthMonitor health;
    private final MemoryWatchdog memory;
    /** Addresses some worker bound itself, shared by every session: each is reported once. */
    private final ConcurrentHashMap.KeySetView<InetSocketAddress, Boolean> reportedUnclustered;

    WorkerSession(WorkerProcess worker, WorkerRouting routing, HealthMonitor health, MemoryWatchdog memory,
                  ConcurrentHashMap.KeySetView<InetSocketAddress, Boolean> reportedUnclustered) {
        this.worker = worker;
        this.routing = routing;
        this.health = health;
        this.memory = memory;
        this.reportedUnclustered = reportedUnclustered;
    }

    @Override
    public void bound(InetSocketAddress requested, int actualPort) {
        if (!worker.process.isAlive()) {
            return;
        }
        worker.bound(requested, actualPort);
        routing.bound(worker, requested, actualPort);
        health.checkReady(worker);
    }

    @Override
    public void unclustered(InetSocketAddress requested) {
        if (reportedUnclustered.add(requested)) {
            Log.info("worker " + worker.id() + " binds " + requested.getAddress().getHostAddress() + ":"
                    + requested.getPort() + " itself: not clustered (port= option or a JMX port);"
                    + " if every worker binds it, all but one will fail");
        }
    }

    @Override
    public void unshared(InetSocketAddress requested, String why) {
        routing.cannotShare(worker, requested, why);
    }

    @Override
    public void stats(ControlMessage.Stats stats) {
        worker.stats = stats;
        memory.reported(worker, stats);
    }

    @Override
    public void clientAddressFallbacks(long count) {
        worker.clientAddressFallbacks = count;
    }

    @Override
    public void dumpLine(String text) {
        worker.dumpLine(text);
    }

    @Override
    public void dumpEnd() {
        worker.dumpEnd();
    }

    @Override
    public void closed() {
        worker.control = null;
        // it exits or is about to: out of rotation now (this process's backends only, never its successor's)
        routing.withdraw(worker);
    }
}
