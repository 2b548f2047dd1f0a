package io.jcluster.spi;

import java.util.concurrent.atomic.AtomicReference;

/** Where {@link io.jcluster.Cluster} finds its backend: the agent's, installed before the app's main runs. */
public final class ClusterBackends {

    private static final AtomicReference<ClusterBackend> INSTALLED = new AtomicReference<>();

    private ClusterBackends() {
    }

    /** The agent's worker backend; once. */
    public static void install(ClusterBackend backend) {
        if (!INSTALLED.compareAndSet(null, backend)) {
            throw new IllegalStateException("a cluster backend is installed already");
        }
    }

    /**
     * The installed backend, or the single-process one when the process runs without the agent. In a jcluster worker
     * with no backend installed (this copy of the API is not the agent's), {@link IllegalStateException}.
     */
    public static ClusterBackend current() {
        ClusterBackend installed = INSTALLED.get();
        return installed != null ? installed : LocalCluster.instance();
    }
}
