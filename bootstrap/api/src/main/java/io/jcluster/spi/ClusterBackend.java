package io.jcluster.spi;

import io.jcluster.SharedMap;

import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * What {@link io.jcluster.Cluster} delegates to: the jcluster agent installs one in each worker
 * ({@link ClusterBackends#install}); without the agent a single-process one serves. Not for apps: they call
 * {@code Cluster}.
 */
public interface ClusterBackend {

    int workerId();

    /** Workers the cluster has now (follows scale). */
    int workers();

    /** Whether the process is a jcluster worker (false for the single-process backend). */
    boolean isWorker();

    boolean isLeader();

    /** {@code gained} runs when this worker becomes the leader (at once if it is), {@code lost} when it stops being. */
    AutoCloseable onLeadership(Runnable gained, Runnable lost);

    /** To every worker's subscribers of {@code topic}, this worker's included. */
    void publish(String topic, byte[] message);

    AutoCloseable subscribe(String topic, Consumer<byte[]> handler);

    SharedMap map(String name);

    ExecutorService offload();
}
