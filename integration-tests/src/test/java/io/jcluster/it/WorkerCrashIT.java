package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A worker killed with SIGKILL: no request fails once the parent noticed, and the worker is restarted. */
@Timeout(180)
class WorkerCrashIT {

    /**
     * On {@link Jdk#both()}: a dead backend is seen by the transport (epoll, NIO), so each; the third repeats epoll.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void killedWorkerIsRoutedAroundAndRestarted(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());

            long victim = workers.get(0);
            long survivor = workers.get(1);
            WorkerKill.killWorkerZeroAndKeepServing(cluster, port, victim, survivor, 50);
        }
    }
}
