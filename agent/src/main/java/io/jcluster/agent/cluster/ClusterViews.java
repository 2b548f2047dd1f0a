package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What /status and /metrics show of the Cluster API, gathered from the hub's parts when asked. */
final class ClusterViews {

    private final Store store;
    private final MapRequests maps;
    private final MessageDelivery messages;
    private final WorkerPeers peers;
    private final Leadership leadership;
    private final SessionTotals sessions;

    ClusterViews(Store store, MapRequests maps, MessageDelivery messages, WorkerPeers peers, Leadership leadership,
                 SessionTotals sessions) {
        this.store = store;
        this.maps = maps;
        this.messages = messages;
        this.peers = peers;
        this.leadership = leadership;
        this.sessions = sessions;
    }

    ClusterHub.View view() {
        Store.Health health = store.health();
        SharedMaps shared = store.maps();
        List<ClusterHub.WorkerView> workers = new ArrayList<>();
        long delivered = peers.deliveredByLeft();
        long dropped = peers.droppedByLeft();
        for (WorkerPeer peer : peers.all()) {
            ClusterFrame.WorkerStats stats = peer.stats;
            delivered += peer.outbound.written();
            dropped += peer.outbound.dropped();
            workers.add(new ClusterHub.WorkerView(peer.workerId, peer.pid,
                    stats == null ? -1 : stats.offloadThreads(), stats == null ? -1 : stats.offloadBusy(),
                    stats == null ? -1 : stats.offloadQueued(), stats == null ? -1 : stats.offloadRejected(),
                    peer.outbound.dropped(), stats == null ? -1 : stats.droppedInWorker()));
        }
        workers.sort(Comparator.comparingInt(ClusterHub.WorkerView::id).thenComparingLong(ClusterHub.WorkerView::pid));
        return new ClusterHub.View(store.kind(), health.up(), health.detail(), shared.entries(), shared.bytes(),
                shared.evictions(), maps.counts(), messages.published(), delivered, dropped,
                store.messages().dropped(), leadership.leader(), workers);
    }

    ClusterHub.SessionsView sessions() {
        List<ClusterFrame.SessionCounts> joined = new ArrayList<>();
        for (WorkerPeer peer : peers.all()) {
            ClusterFrame.WorkerStats stats = peer.stats;
            if (stats != null) {
                joined.add(stats.sessions());
            }
        }
        return sessions.view(joined);
    }
}
