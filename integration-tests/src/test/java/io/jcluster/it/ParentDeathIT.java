package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 of the parent takes every worker with it (control-channel EOF), within 3 s. */
@Timeout(120)
class ParentDeathIT {

    /**
     * On {@link Jdk#both()}: each worker watches the control channel through its JDK; the third variant differs only in
     * the parent's transport.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void workersDieWithinThreeSecondsOfTheParent(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            List<ProcessHandle> workers = cluster.rememberedProcesses();
            assertFalse(workers.isEmpty(), "workers were seen as descendants of the parent");
            assertTrue(workers.stream().map(ProcessHandle::pid).toList().containsAll(cluster.startedWorkers().values()),
                    "every started worker is a descendant of the parent: " + workers + " vs " + cluster.startedWorkers());

            Signals.kill(cluster.pid());
            long killedAt = System.nanoTime();
            List<ProcessHandle> alive = workers;
            while (!alive.isEmpty() && System.nanoTime() - killedAt < 3_000_000_000L) {
                ClusterProcess.sleep(50);
                alive = alive.stream().filter(ClusterProcess::isRunning).toList();
            }
            assertTrue(alive.isEmpty(), "workers still alive 3 s after kill -9 of the parent: "
                    + alive.stream().map(ProcessHandle::pid).toList() + "\n" + cluster.describe());
        }
    }
}
