package apps.cluster;

import io.jcluster.Cluster;
import io.jcluster.SharedMap;

/** A visit counter every worker shares: kept by the cluster's store, so it outlives any worker. */
final class Counter {

    private final SharedMap counters = Cluster.map("counters");

    /** Counts one visit; the new total (atomic across the cluster: no two visits get the same number). */
    long visit() {
        return counters.increment("visits", 1);
    }

    long visits() {
        return counters.getLong("visits");
    }
}
