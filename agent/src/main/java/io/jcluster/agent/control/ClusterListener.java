package io.jcluster.agent.control;

/** The parent's side of the Cluster API: where an admitted worker's {@link ClusterFrame}s go. */
public interface ClusterListener {

    /** Worker {@code workerId} (process {@code pid}) was admitted on the control channel. */
    Peer joined(int workerId, long pid, ControlConnection toWorker);

    /** One admitted worker's frames, in the order it sent them, on the connection's one reader thread. */
    interface Peer {
        void received(ClusterFrame frame);

        /** The connection ended: the worker exited or is about to. */
        void left();
    }
}
