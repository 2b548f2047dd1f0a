package io.jcluster.spi;

/** TODO(helper api): the single-process backend: id 0 of 1, always the leader, local map, local delivery. */
final class LocalCluster {

    private LocalCluster() {
    }

    static ClusterBackend instance() {
        throw new UnsupportedOperationException("not written yet");
    }
}
