package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** The joined workers, what the ones that left had been sent, and the worker count they are told. */
final class WorkerPeers {

    /** By pid: during a reload two processes of one worker id are connected. */
    private final ConcurrentHashMap<Long, WorkerPeer> byPid = new ConcurrentHashMap<>();
    /** What workers that left had been sent and had dropped: the totals stay counters across restarts. */
    private final LongAdder deliveredByLeft = new LongAdder();
    private final LongAdder droppedByLeft = new LongAdder();
    /**
     * Reads the worker count and tells the workers, one task at a time, each reading the count anew (so the last one
     * tells the latest). Its own thread because the count comes from the supervisor's lock, and the routing callbacks
     * that ask for it run while the supervisor holds that lock: reading it under a lock of the hub's would order the
     * two locks both ways (ClusterLeaderIT catches that deadlock).
     */
    private final ExecutorService countPusher = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "jcluster-cluster-count");
        thread.setDaemon(true);
        return thread;
    });
    private volatile IntSupplier workerCount = () -> -1;

    /** Adds {@code peer}, closing the one of the same pid it replaces. */
    void add(WorkerPeer peer) {
        WorkerPeer replaced = byPid.put(peer.pid, peer);
        if (replaced != null) {
            replaced.close();
        }
    }

    /** Whether {@code peer} was still joined (and now is not). */
    boolean remove(WorkerPeer peer) {
        return byPid.remove(peer.pid, peer);
    }

    Collection<WorkerPeer> all() {
        return byPid.values();
    }

    /** A peer that left: what its queue wrote and dropped stays in the totals. */
    void left(Outbound outbound) {
        deliveredByLeft.add(outbound.written());
        droppedByLeft.add(outbound.dropped());
    }

    long deliveredByLeft() {
        return deliveredByLeft.sum();
    }

    long droppedByLeft() {
        return droppedByLeft.sum();
    }

    void countWorkers(IntSupplier count) {
        this.workerCount = count;
        workerCountMayHaveChanged();
    }

    /**
     * Tells each joined worker the cluster's worker count, unless it was told that count last. Returns at once
     * (whatever locks the caller holds): the count is read and sent on the count thread.
     */
    void workerCountMayHaveChanged() {
        try {
            countPusher.execute(() -> {
                int count = workerCount.getAsInt();
                if (count <= 0) {
                    return;
                }
                ClusterFrame.Workers frame = new ClusterFrame.Workers(count);
                for (WorkerPeer peer : byPid.values()) {
                    if (peer.toldCount != count) {
                        peer.toldCount = count;
                        peer.outbound.send(frame);
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            // the hub is closed: the parent stops
        }
    }

    /** Stops the count thread and every worker's writer. */
    void close() {
        countPusher.shutdownNow();
        byPid.values().forEach(WorkerPeer::close);
    }
}
