package io.jcluster.agent.worker.cluster;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.spi.ApiChecks;
import io.jcluster.spi.ClusterBackend;
import io.jcluster.spi.OffloadPool;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The Cluster API in a worker: what {@code io.jcluster.Cluster} calls once the agent installed it. Map operations
 * and subscribe are requests to the parent that block the calling thread until the answer, at most the store
 * timeout; publish is one frame that waits for nobody. The parent's frames come in through {@link #received}, on
 * the thread that reads the control connection, and are handed on without blocking it.
 */
public final class WorkerCluster implements ClusterBackend {

    /** How long a hung 'lost' callback may hold back the release of leadership. */
    static final long LEADERSHIP_ACK_AFTER_MILLIS = 10_000;

    private final int workerId;
    private final int workersAtLaunch;
    /**
     * The control connection, written by whichever thread calls (the app's included): it is a non-blocking channel,
     * so an interrupt of the caller never closes it ({@code ControlConnection}).
     */
    private final ToParent toParent;
    private final long maxMessage;
    private final Consumer<String> log;
    private final Requests requests;
    private final Subscriptions subscriptions;
    private final LeadershipCallbacks leadership;
    private volatile int workers;
    private volatile OffloadPool offload;

    /**
     * @param store      the store's kind as the options name it ("embedded", "redis://host:port"), for messages
     * @param storeTimeout how long a map call waits for its answer
     * @param maxMessage the largest message or map value, in bytes
     * @param log        takes a line for stderr; this prefixes it with "[jcluster] worker N: "
     */
    public WorkerCluster(int workerId, int workersAtLaunch, ToParent toParent, String store, Duration storeTimeout,
                         long maxMessage, Consumer<String> log) {
        this(workerId, workersAtLaunch, toParent, store, storeTimeout, maxMessage, log, Subscriptions.QUEUE,
                Subscriptions.QUEUE_BYTES, LEADERSHIP_ACK_AFTER_MILLIS);
    }

    WorkerCluster(int workerId, int workersAtLaunch, ToParent toParent, String store, Duration storeTimeout,
                  long maxMessage, Consumer<String> log, int deliveryQueue, long deliveryQueueBytes,
                  long leadershipAckAfterMillis) {
        this.workerId = workerId;
        this.workersAtLaunch = workersAtLaunch;
        this.workers = workersAtLaunch;
        this.toParent = toParent;
        this.maxMessage = maxMessage;
        this.log = line -> log.accept("[jcluster] worker " + workerId + ": " + line);
        this.requests = new Requests(this.toParent, storeTimeout, store);
        this.subscriptions = new Subscriptions(requests, this.log, deliveryQueue, deliveryQueueBytes);
        this.leadership = new LeadershipCallbacks(toParent, this.log, leadershipAckAfterMillis);
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public boolean isWorker() {
        return true;
    }

    @Override
    public boolean isLeader() {
        return leadership.isLeader();
    }

    @Override
    public AutoCloseable onLeadership(Runnable gained, Runnable lost) {
        return leadership.register(gained, lost);
    }

    @Override
    public void publish(String topic, byte[] message) {
        ApiChecks.topic(topic);
        ApiChecks.size("message", message, maxMessage);
        try {
            toParent.send(new ClusterFrame.Publish(topic, message));
        } catch (IOException e) {
            throw new ClusterException("publish to '" + topic + "': the parent is gone (the connection to it"
                    + " closed; this worker is exiting)", e);
        }
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<byte[]> handler) {
        return subscriptions.subscribe(topic, handler);
    }

    @Override
    public SharedMap map(String name) {
        return new WorkerMap(name, requests, maxMessage);
    }

    @Override
    public ExecutorService offload() {
        return offloadPool().executor();
    }

    /** A frame from the parent, on the thread that reads the control connection. */
    public void received(ClusterFrame frame) {
        if (frame instanceof ClusterFrame.Reply reply) {
            requests.received(reply);
        } else if (frame instanceof ClusterFrame.Message message) {
            subscriptions.received(message);
        } else if (frame instanceof ClusterFrame.Leadership grantOrRevoke) {
            leadership.received(grantOrRevoke);
        } else if (frame instanceof ClusterFrame.Workers count) {
            workers = count.count();
        } else {
            log.accept("ignored a " + frame.getClass().getSimpleName() + " frame from the parent: it is for parents");
        }
    }

    /** The control connection ended: waiting calls fail at once, and this worker is no longer the leader. */
    public void parentGone() {
        requests.parentGone();
        leadership.parentGone();
    }

    /** What the parent shows in /status and /metrics, sent once a second. */
    public ClusterFrame.WorkerStats stats() {
        OffloadPool pool = offload;
        return new ClusterFrame.WorkerStats(pool == null ? 0 : pool.threads(), pool == null ? 0 : pool.busy(),
                pool == null ? 0 : pool.queued(), pool == null ? 0 : pool.rejected(), subscriptions.delivered(),
                subscriptions.dropped());
    }

    /**
     * Sends {@link #stats()} with the worker's session counts ({@code NONE} without sessions=shared); an
     * {@link IOException} means the parent is gone.
     */
    public void sendStats(ClusterFrame.SessionCounts sessions) throws IOException {
        toParent.send(stats().withSessions(sessions));
    }

    /** The process's one offload pool, made on first use: its share of the processors, by the launch's count. */
    private OffloadPool offloadPool() {
        OffloadPool pool = offload;
        if (pool == null) {
            synchronized (this) {
                pool = offload;
                if (pool == null) {
                    pool = OffloadPool.create(Math.max(1,
                            Runtime.getRuntime().availableProcessors() / Math.max(1, workersAtLaunch)));
                    offload = pool;
                }
            }
        }
        return pool;
    }
}
