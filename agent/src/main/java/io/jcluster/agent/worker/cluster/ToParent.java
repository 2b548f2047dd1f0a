package io.jcluster.agent.worker.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.io.IOException;

/** Where a worker's Cluster API frames go: its control connection to the parent. */
@FunctionalInterface
public interface ToParent {

    /** Sends {@code frame}; an {@link IOException} means the parent is gone. Safe to call from several threads. */
    void send(ClusterFrame frame) throws IOException;
}
