package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ClusterListener;
import io.jcluster.agent.log.Log;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One joined worker's frames, on its connection's reader thread, and what the parent queues for it. */
final class WorkerPeer implements ClusterListener.Peer {
    final int workerId;
    final long pid;
    final Outbound outbound;
    final Set<String> topics = ConcurrentHashMap.newKeySet();
    final Log.RateLimited dropLog = new Log.RateLimited(10, TimeUnit.SECONDS);
    private final Log.RateLimited workerDropLog = new Log.RateLimited(10, TimeUnit.SECONDS);
    private final Log.RateLimited refusedLog = new Log.RateLimited(10, TimeUnit.SECONDS);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final MapRequests maps;
    private final MessageDelivery messages;
    private final Leadership leadership;
    private final SessionTotals sessions;
    private final WorkerPeers peers;
    volatile ClusterFrame.WorkerStats stats;
    /** The worker count it was last told; confined to the hub's count thread. */
    int toldCount = -1;

    WorkerPeer(int workerId, long pid, Outbound outbound, MapRequests maps, MessageDelivery messages,
               Leadership leadership, SessionTotals sessions, WorkerPeers peers) {
        this.workerId = workerId;
        this.pid = pid;
        this.outbound = outbound;
        this.maps = maps;
        this.messages = messages;
        this.leadership = leadership;
        this.sessions = sessions;
        this.peers = peers;
    }

    @Override
    public void received(ClusterFrame frame) {
        if (frame instanceof ClusterFrame.Publish publish) {
            messages.publish(publish, workerId, refusedLog);
        } else if (frame instanceof ClusterFrame.Subscribe subscribe) {
            topics.add(subscribe.topic());
            outbound.replyFromReader(new ClusterFrame.DoneReply(subscribe.id()));
        } else if (frame instanceof ClusterFrame.Unsubscribe unsubscribe) {
            topics.remove(unsubscribe.topic());
            outbound.replyFromReader(new ClusterFrame.DoneReply(unsubscribe.id()));
        } else if (maps.serve(frame, outbound, workerId)) {
            // answered now, or when the store completes
        } else if (frame instanceof ClusterFrame.LeadershipReleased released) {
            leadership.released(pid, released.epoch());
        } else if (frame instanceof ClusterFrame.WorkerStats report) {
            stats(report);
        } else {
            refusedLog.info("worker " + workerId + " sent a " + frame.getClass().getSimpleName()
                    + " frame, which only the parent sends; ignored");
        }
    }

    private void stats(ClusterFrame.WorkerStats report) {
        ClusterFrame.WorkerStats before = stats;
        stats = report;
        sessions.reported();
        if (report.droppedInWorker() > (before == null ? 0 : before.droppedInWorker())) {
            workerDropLog.info("worker " + workerId + " (pid " + pid + ") dropped " + report.droppedInWorker()
                    + " message(s) so far: its subscribers handle them slower than they arrive (its delivery"
                    + " queue is full); see jcluster_cluster_messages_dropped_total{where=\"worker\"}");
        }
    }

    @Override
    public void left() {
        if (peers.remove(this)) {
            close();
        }
        leadership.left(pid);
        peers.workerCountMayHaveChanged();
    }

    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        outbound.close();
        peers.left(outbound);
        ClusterFrame.WorkerStats last = stats;
        sessions.left(last == null ? ClusterFrame.SessionCounts.NONE : last.sessions());
    }
}
