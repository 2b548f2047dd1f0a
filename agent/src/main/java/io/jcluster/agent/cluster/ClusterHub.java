package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ClusterListener;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.log.Log;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The parent's end of the Cluster API: every joined worker's frames come here (on that connection's reader thread),
 * map requests go to the {@link Store} and their replies back, published messages go to the store's
 * {@link MessageBus} and from it to every worker that subscribed the topic, and the {@link Leadership} coordinator
 * learns who can lead. Nothing here waits for a worker: what a worker is sent waits in its {@link Outbound}.
 */
public final class ClusterHub implements ClusterListener, AutoCloseable {

    /** The map operations, as /metrics labels them; their index counts in {@link #operations}. */
    static final List<String> OPERATIONS = List.of("get", "put", "putIfAbsent", "remove", "compareAndSet",
            "increment");

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
    private final int maxMessage;
    private volatile Consumer<byte[]> cachePurges = message -> { };
    private final Outbound.Limits limits;
    private final Leadership leadership = new Leadership();
    /** By pid: during a reload two processes of one worker id are connected. */
    private final ConcurrentHashMap<Long, WorkerPeer> peers = new ConcurrentHashMap<>();
    private final LongAdder[] operations = new LongAdder[OPERATIONS.size()];
    private final LongAdder published = new LongAdder();
    /** What workers that left had been sent and had dropped: the totals stay counters across restarts. */
    private final LongAdder deliveredByLeft = new LongAdder();
    private final LongAdder droppedByLeft = new LongAdder();
    private final SessionTotals sessions;
    /**
     * Reads the worker count and tells the workers, one task at a time, each reading the count anew (so the last one
     * tells the latest). Its own thread because the count comes from the supervisor's lock, and the routing callbacks
     * that ask for it run while the supervisor holds that lock: reading it under a lock of the hub's would order the
     * two locks both ways (ClusterLeaderIT deadlocked the parent that way before this thread existed).
     */
    private final ExecutorService countPusher = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "jcluster-cluster-count");
        thread.setDaemon(true);
        return thread;
    });
    private volatile IntSupplier workerCount = () -> -1;

    /** Serves {@code store}; messages and map values larger than {@code maxMessage} bytes are refused. */
    public ClusterHub(Store store, int maxMessage) {
        this(store, maxMessage, Outbound.Limits.DEFAULT);
    }

    ClusterHub(Store store, int maxMessage, Outbound.Limits limits) {
        this.store = store;
        this.maxMessage = maxMessage;
        this.limits = limits;
        this.sessions = new SessionTotals(store.maps(), System::nanoTime, Log::info);
        for (int i = 0; i < operations.length; i++) {
            operations[i] = new LongAdder();
        }
        store.messages().deliverTo(this::deliver);
        store.lease().start(leadership::lease);
    }

    /** Where the cluster's worker count is read (the supervisor's slots); it is pushed to workers when it changes. */
    public void countWorkers(IntSupplier count) {
        this.workerCount = count;
        workerCountMayHaveChanged();
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
        WorkerPeer peer = new WorkerPeer(workerId, pid, outbound);
        WorkerPeer replaced = peers.put(pid, peer);
        if (replaced != null) {
            replaced.close();
        }
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
        try {
            countPusher.execute(() -> {
                int count = workerCount.getAsInt();
                if (count <= 0) {
                    return;
                }
                ClusterFrame.Workers frame = new ClusterFrame.Workers(count);
                for (WorkerPeer peer : peers.values()) {
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

    /** Where cache purges published by the parents of OTHER hosts go (this host's own are not handed back). */
    public void onCachePurge(Consumer<byte[]> fromOtherHosts) {
        this.cachePurges = fromOtherHosts;
    }

    /** Tells the other hosts' parents to purge (their {@link #onCachePurge}); at most once, dropped if Redis is down. */
    public void publishCachePurge(byte[] message) {
        store.messages().publish(CACHE_PURGE_TOPIC, message, FROM_PARENT);
    }

    /** The bus's sink: every joined worker that subscribed {@code topic} gets the message, or drops it if full. */
    private void deliver(String topic, byte[] message, int fromWorker) {
        if (topic.startsWith(RESERVED_TOPICS)) {
            if (topic.equals(CACHE_PURGE_TOPIC) && fromWorker == -1) {
                cachePurges.accept(message);
            }
            return;
        }
        ClusterFrame.Message frame = new ClusterFrame.Message(topic, message, fromWorker);
        for (WorkerPeer peer : peers.values()) {
            if (peer.topics.contains(topic) && !peer.outbound.offerMessage(frame)) {
                peer.dropLog.info("worker " + peer.workerId + " (pid " + peer.pid + ") reads its messages too"
                        + " slowly: " + peer.outbound.dropped() + " message(s) dropped for it so far (its queue holds "
                        + limits.frames() + " messages or " + limits.bytes() / (1024 * 1024) + " MiB); see"
                        + " jcluster_cluster_messages_dropped_total");
            }
        }
    }

    /** What /status and /metrics show of the Cluster API now. */
    public View view() {
        Store.Health health = store.health();
        SharedMaps maps = store.maps();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < operations.length; i++) {
            counts.put(OPERATIONS.get(i), operations[i].sum());
        }
        List<WorkerView> workers = new ArrayList<>();
        long delivered = deliveredByLeft.sum();
        long dropped = droppedByLeft.sum();
        for (WorkerPeer peer : peers.values()) {
            ClusterFrame.WorkerStats stats = peer.stats;
            delivered += peer.outbound.written();
            dropped += peer.outbound.dropped();
            workers.add(new WorkerView(peer.workerId, peer.pid, stats == null ? -1 : stats.offloadThreads(),
                    stats == null ? -1 : stats.offloadBusy(), stats == null ? -1 : stats.offloadQueued(),
                    stats == null ? -1 : stats.offloadRejected(), peer.outbound.dropped(),
                    stats == null ? -1 : stats.droppedInWorker()));
        }
        workers.sort(Comparator.comparingInt(WorkerView::id).thenComparingLong(WorkerView::pid));
        return new View(store.kind(), health.up(), health.detail(), maps.entries(), maps.bytes(), maps.evictions(),
                counts, published.sum(), delivered, dropped, store.messages().dropped(), leadership.leader(),
                workers);
    }

    /**
     * sessions=shared: the workers' counts summed over every process since the parent started, and the records the
     * store holds. Walks the store's entries (embedded): for /status and /metrics only.
     */
    public SessionsView sessions() {
        List<ClusterFrame.SessionCounts> joined = new ArrayList<>();
        for (WorkerPeer peer : peers.values()) {
            ClusterFrame.WorkerStats stats = peer.stats;
            if (stats != null) {
                joined.add(stats.sessions());
            }
        }
        return sessions.view(joined);
    }

    /** Stops every worker's writer; the store is the caller's to close. */
    @Override
    public void close() {
        leadership.stop();
        countPusher.shutdownNow();
        peers.values().forEach(WorkerPeer::close);
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

    /** One joined worker's frames, on its connection's reader thread. */
    private final class WorkerPeer implements Peer {
        final int workerId;
        final long pid;
        final Outbound outbound;
        final Set<String> topics = ConcurrentHashMap.newKeySet();
        final Log.RateLimited dropLog = new Log.RateLimited(10, TimeUnit.SECONDS);
        final Log.RateLimited workerDropLog = new Log.RateLimited(10, TimeUnit.SECONDS);
        final Log.RateLimited refusedLog = new Log.RateLimited(10, TimeUnit.SECONDS);
        final AtomicBoolean closed = new AtomicBoolean();
        volatile ClusterFrame.WorkerStats stats;
        /** The worker count it was last told; confined to the hub's count thread. */
        int toldCount = -1;

        WorkerPeer(int workerId, long pid, Outbound outbound) {
            this.workerId = workerId;
            this.pid = pid;
            this.outbound = outbound;
        }

        @Override
        public void received(ClusterFrame frame) {
            if (frame instanceof ClusterFrame.Publish publish) {
                publish(publish);
            } else if (frame instanceof ClusterFrame.Subscribe subscribe) {
                topics.add(subscribe.topic());
                outbound.replyFromReader(new ClusterFrame.DoneReply(subscribe.id()));
            } else if (frame instanceof ClusterFrame.Unsubscribe unsubscribe) {
                topics.remove(unsubscribe.topic());
                outbound.replyFromReader(new ClusterFrame.DoneReply(unsubscribe.id()));
            } else if (frame instanceof ClusterFrame.MapGet get) {
                map(0, get.id(), get.map(), null, () -> store.maps().get(get.map(), get.key())
                        .thenApply(value -> new ClusterFrame.ValueReply(get.id(), value)));
            } else if (frame instanceof ClusterFrame.MapPut put) {
                map(1, put.id(), put.map(), put.value(), () -> store.maps()
                        .put(put.map(), put.key(), put.value(), put.ttlMillis())
                        .thenApply(done -> new ClusterFrame.DoneReply(put.id())));
            } else if (frame instanceof ClusterFrame.MapPutIfAbsent put) {
                map(2, put.id(), put.map(), put.value(), () -> store.maps()
                        .putIfAbsent(put.map(), put.key(), put.value(), put.ttlMillis())
                        .thenApply(stored -> new ClusterFrame.BooleanReply(put.id(), stored)));
            } else if (frame instanceof ClusterFrame.MapRemove remove) {
                map(3, remove.id(), remove.map(), null, () -> store.maps().remove(remove.map(), remove.key())
                        .thenApply(removed -> new ClusterFrame.BooleanReply(remove.id(), removed)));
            } else if (frame instanceof ClusterFrame.MapCompareAndSet cas) {
                map(4, cas.id(), cas.map(), cas.update(), () -> store.maps()
                        .compareAndSet(cas.map(), cas.key(), cas.expected(), cas.update())
                        .thenApply(set -> new ClusterFrame.BooleanReply(cas.id(), set)));
            } else if (frame instanceof ClusterFrame.MapIncrement increment) {
                map(5, increment.id(), increment.map(), null, () -> store.maps()
                        .increment(increment.map(), increment.key(), increment.delta())
                        .thenApply(value -> new ClusterFrame.LongReply(increment.id(), value)));
            } else if (frame instanceof ClusterFrame.LeadershipReleased released) {
                leadership.released(pid, released.epoch());
            } else if (frame instanceof ClusterFrame.WorkerStats report) {
                stats(report);
            } else {
                refusedLog.info("worker " + workerId + " sent a " + frame.getClass().getSimpleName()
                        + " frame, which only the parent sends; ignored");
            }
        }

        private void publish(ClusterFrame.Publish publish) {
            if (publish.topic().startsWith(RESERVED_TOPICS)) {
                refusedLog.info("worker " + workerId + " published on '" + publish.topic() + "': topics that start"
                        + " with '" + RESERVED_TOPICS + "' are jcluster's own; dropped (name the app's topics otherwise)");
                return;
            }
            int size = publish.message().length;
            if (size > maxMessage) {
                // the worker checks first; a frame past it is a worker of another version or settings
                refusedLog.info("worker " + workerId + " published a message of " + size + " bytes on '"
                        + publish.topic() + "', over max-message=" + maxMessage + "; dropped");
                return;
            }
            published.increment();
            try {
                store.messages().publish(publish.topic(), publish.message(), workerId);
            } catch (RuntimeException e) {
                Log.error("the cluster store failed to publish a message of worker " + workerId + " on '"
                        + publish.topic() + "'", e);
            }
        }

        private void map(int operation, long id, String map, byte[] value,
                         Supplier<CompletableFuture<? extends ClusterFrame>> call) {
            operations[operation].increment();
            if (value != null && value.length > maxMessage) {
                outbound.replyFromReader(new ClusterFrame.ErrorReply(id, "shared map '" + map + "': a value of "
                        + value.length + " bytes is over max-message=" + maxMessage + " (set max-message to a larger size, at most"
                        + " 8m, to allow more)"));
                return;
            }
            CompletableFuture<? extends ClusterFrame> reply;
            try {
                reply = call.get();
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            // the embedded store answers at once, here on the reader thread; Redis later, on its event loop, which
            // must never block on a worker's socket: that reply goes through the writer thread
            Thread reader = Thread.currentThread();
            reply.whenComplete((frame, failure) -> {
                ClusterFrame answer = failure == null ? frame
                        : new ClusterFrame.ErrorReply(id, failureMessage(OPERATIONS.get(operation), map, failure));
                if (Thread.currentThread() == reader) {
                    outbound.replyFromReader(answer);
                } else {
                    outbound.send(answer);
                }
            });
        }

        private String failureMessage(String operation, String map, Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof StoreException) {
                return cause.getMessage();
            }
            Log.error("the cluster store failed on " + operation + " of shared map '" + map + "' for worker "
                    + workerId, cause);
            return "shared map '" + map + "': the parent failed on " + operation + " (" + Log.describe(cause)
                    + "); the parent's log has the details";
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
            if (peers.remove(pid, this)) {
                close();
            }
            leadership.left(pid);
            workerCountMayHaveChanged();
        }

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            outbound.close();
            deliveredByLeft.add(outbound.written());
            droppedByLeft.add(outbound.dropped());
            ClusterFrame.WorkerStats last = stats;
            sessions.left(last == null ? ClusterFrame.SessionCounts.NONE : last.sessions());
        }
    }
}
