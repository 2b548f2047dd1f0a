package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ClusterListener;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.log.Log;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The parent's end of the Cluster API: every joined worker's frames come here (on that connection's reader thread,
 * as a {@link WorkerPeer}), map requests go to the {@link Store} through {@link MapRequests} and their replies back,
 * published messages go to the store's {@link MessageBus} and from it to every worker that subscribed the topic
 * ({@link MessageDelivery}), and the {@link Leadership} coordinator learns who can lead. Nothing here waits for a
 * worker: what a worker is sent waits in its {@link Outbound}.
 */
public final class ClusterHub implements ClusterListener, AutoCloseable {

    /**
     * Topics that start with this are the parents' own (e.g. {@link #CACHE_PURGE_TOPIC}): a worker that publishes on
     * one is refused, and nothing on one is delivered to a worker. An app inside a worker must not be able to purge
     * every host's cache, or to read what the parents tell each other.
     */
    public static final String RESERVED_TOPICS = "jcluster:";
    /** Where a parent tells the other hosts' parents to purge their response caches (store=redis). */
    public static final String CACHE_PURGE_TOPIC = RESERVED_TOPICS + "cache-purge";
    /** The publisher this parent names on what it publishes itself (its workers are 0, 1, ...; -1 is another host). */
    static final int FROM_PARENT = -2;

    private final Store store;
    private final Outbound.Limits limits;
    private final Leadership leadership = new Leadership();
    private final WorkerPeers peers = new WorkerPeers();
    private final MapRequests maps;
    private final MessageDelivery messages;
    private final SessionTotals sessions;
    private final ClusterViews views;

    /** Serves {@code store}; messages and map values larger than {@code maxMessage} bytes are refused. */
    public ClusterHub(Store store, int maxMessage) {
        this(store, maxMessage, Outbound.Limits.DEFAULT);
    }

    ClusterHub(Store store, int maxMessage, Outbound.Limits limits) {
        this.store = store;
        this.limits = limits;
        this.sessions = new SessionTotals(store.maps(), System::nanoTime, Log::info);
        this.maps = new MapRequests(store, maxMessage);
        this.messages = new MessageDelivery(store, maxMessage, limits, peers);
        this.views = new ClusterViews(store, maps, messages, peers, leadership, sessions);
        store.messages().deliverTo(messages::deliver);
        store.lease().start(leadership::lease);
    }

    /** Where the cluster's worker count is read (the supervisor's slots); it is pushed to workers when it changes. */
    public void countWorkers(IntSupplier count) {
        peers.countWorkers(count);
    }

    Leadership leadership() {
        return leadership;
    }

    /**
     * At shutdown: the leader is told to give leadership up now (its {@code lost} callbacks run while connections
     * drain), and no one is granted it after.
     */
    public void stopping() {
        leadership.stop();
    }

    @Override
    public Peer joined(int workerId, long pid, ControlConnection toWorker) {
        Outbound outbound = new Outbound(toWorker, limits, "jcluster-cluster-to-" + workerId);
        WorkerPeer peer = new WorkerPeer(workerId, pid, outbound, maps, messages, leadership, sessions, peers);
        peers.add(peer);
        peer.outbound.start();
        workerCountMayHaveChanged();
        leadership.joined(workerId, pid, peer.outbound::send);
        return peer;
    }

    /**
     * Tells each joined worker the cluster's worker count, unless it was told that count last. Returns at once
     * (whatever locks the caller holds): the count is read and sent on the hub's own thread.
     */
    void workerCountMayHaveChanged() {
        peers.workerCountMayHaveChanged();
    }

    /** Where cache purges published by the parents of OTHER hosts go (this host's own are not handed back). */
    public void onCachePurge(Consumer<byte[]> fromOtherHosts) {
        messages.onCachePurge(fromOtherHosts);
    }

    /** Tells the other hosts' parents to purge (their {@link #onCachePurge}); at most once, dropped if Redis is down. */
    public void publishCachePurge(byte[] message) {
        store.messages().publish(CACHE_PURGE_TOPIC, message, FROM_PARENT);
    }

    /** What /status and /metrics show of the Cluster API now. */
    public View view() {
        return views.view();
    }

    /**
     * sessions=shared: the workers' counts summed over every process since the parent started, and the records the
     * store holds. Walks the store's entries (embedded): for /status and /metrics only.
     */
    public SessionsView sessions() {
        return views.sessions();
    }

    /** Stops every worker's writer; the store is the caller's to close. */
    @Override
    public void close() {
        leadership.stop();
        peers.close();
    }

    /**
     * The Cluster API facts of the parent. Counts that a store cannot tell are -1; {@code messagesDropped} counts
     * the parent's full per-worker queues, {@code storeDropped} what the store itself could not carry.
     */
    public record View(String store, boolean storeUp, String storeDetail, long mapEntries, long mapBytes,
                       long mapEvictions, Map<String, Long> mapOperations, long messagesPublished,
                       long messagesDelivered, long messagesDropped, long storeDropped, int leader,
                       List<WorkerView> workers) {
    }

    /**
     * Shared sessions: {@code stored} records in the store now and {@code evictions} of them for room (each -1 when
     * the store does not tell: Redis), and what every worker process did since the parent started.
     */
    public record SessionsView(long stored, long evictions, ClusterFrame.SessionCounts counts) {
    }

    /** One joined worker: its offload pool (-1 before its first report) and the messages dropped for it. */
    public record WorkerView(int id, long pid, int offloadThreads, int offloadBusy, int offloadQueued,
                             long offloadRejected, long droppedInParent, long droppedInWorker) {
    }
}
