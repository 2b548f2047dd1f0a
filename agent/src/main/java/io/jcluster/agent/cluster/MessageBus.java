package io.jcluster.agent.cluster;

/**
 * Carries published messages to the subscribers of every worker: in the parent alone (embedded) or through Redis
 * pub/sub to every host. Each publisher's messages reach {@link Sink} in the order published; a message that cannot
 * be carried (Redis down and its bounded buffer full) is dropped and counted, never blocks.
 */
public interface MessageBus {

    /** Hands the message on; {@code fromWorker} is this host's publishing worker. */
    void publish(String topic, byte[] message, int fromWorker);

    /** Where delivered messages go (this host's workers); set once, before the first publish. */
    void deliverTo(Sink sink);

    /** Messages dropped by the bus itself (not by a worker's full queue). */
    long dropped();

    interface Sink {
        /** {@code fromWorker} -1: published on another host. */
        void deliver(String topic, byte[] message, int fromWorker);
    }
}
