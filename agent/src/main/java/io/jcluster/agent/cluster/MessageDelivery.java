package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.log.Log;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Published messages: a worker's go to the store's {@link MessageBus} once checked, and what the bus delivers goes to
 * every joined worker that subscribed its topic, or, on a parents' own topic, to this parent.
 */
final class MessageDelivery {

    private final Store store;
    private final int maxMessage;
    private final Outbound.Limits limits;
    private final WorkerPeers peers;
    private final LongAdder published = new LongAdder();
    private volatile Consumer<byte[]> cachePurges = message -> { };

    MessageDelivery(Store store, int maxMessage, Outbound.Limits limits, WorkerPeers peers) {
        this.store = store;
        this.maxMessage = maxMessage;
        this.limits = limits;
        this.peers = peers;
    }

    void onCachePurge(Consumer<byte[]> fromOtherHosts) {
        this.cachePurges = fromOtherHosts;
    }

    long published() {
        return published.sum();
    }

    /** A worker's message, refused on a reserved topic or over max-message; {@code refusedLog} is the worker's. */
    void publish(ClusterFrame.Publish publish, int workerId, Log.RateLimited refusedLog) {
        if (publish.topic().startsWith(ClusterHub.RESERVED_TOPICS)) {
            refusedLog.info("worker " + workerId + " published on '" + publish.topic() + "': topics that start"
                    + " with '" + ClusterHub.RESERVED_TOPICS + "' are jcluster's own; dropped (name the app's topics"
                    + " otherwise)");
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

    /** The bus's sink: every joined worker that subscribed {@code topic} gets the message, or drops it if full. */
    void deliver(String topic, byte[] message, int fromWorker) {
        if (topic.startsWith(ClusterHub.RESERVED_TOPICS)) {
            if (topic.equals(ClusterHub.CACHE_PURGE_TOPIC) && fromWorker == -1) {
                cachePurges.accept(message);
            }
            return;
        }
        ClusterFrame.Message frame = new ClusterFrame.Message(topic, message, fromWorker);
        for (WorkerPeer peer : peers.all()) {
            if (peer.topics.contains(topic) && !peer.outbound.offerMessage(frame)) {
                peer.dropLog.info("worker " + peer.workerId + " (pid " + peer.pid + ") reads its messages too"
                        + " slowly: " + peer.outbound.dropped() + " message(s) dropped for it so far (its queue holds "
                        + limits.frames() + " messages or " + limits.bytes() / (1024 * 1024) + " MiB); see"
                        + " jcluster_cluster_messages_dropped_total");
            }
        }
    }
}
