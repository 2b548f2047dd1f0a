package io.jcluster.agent.control;

import java.net.InetSocketAddress;

/** The parent's side of the protocol: who may speak, and what a worker said. */
public interface ControlListener {

    /**
     * A connection presented the right secret and claims to be worker {@code workerId} with {@code pid}.
     * Returns where its further messages go, or null to refuse it (unknown id, wrong pid, already connected).
     */
    Session accept(int workerId, long pid, ControlConnection toWorker);

    /** One accepted worker's messages. */
    interface Session {
        void bound(InetSocketAddress requested, int actualPort);

        /** The app bound {@code requested} itself: the options leave that port out of the cluster. */
        void unclustered(InetSocketAddress requested);

        /** balancer=kernel: the app's bind of {@code requested} could not be shared with SO_REUSEPORT. */
        default void unshared(InetSocketAddress requested, String why) {
        }

        /** Connections the worker accepted from the parent without finding their client: they saw 127.0.0.1. */
        default void clientAddressFallbacks(long count) {
        }

        /** The worker's periodic report on its resources. */
        void stats(ControlMessage.Stats stats);

        /** One line of the thread dump the parent asked for. */
        void dumpLine(String text);

        /** The thread dump is complete. */
        void dumpEnd();

        /** The connection ended: the worker exited or is about to. */
        void closed();
    }
}
