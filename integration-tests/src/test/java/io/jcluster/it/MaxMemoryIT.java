package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * max-memory: a worker whose resident memory grows past the limit is replaced (its replacement ready first, then
 * it is drained) while requests keep succeeding; the other worker is left alone.
 */
@Timeout(180)
class MaxMemoryIT {

    /** One JDK: the parent reads each worker's RSS from /proc and replaces it, the same on every JDK. */
    @Test
    void aWorkerAboveMaxMemoryIsReplacedWhileRequestsSucceed() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,max-memory=300m")
                // a small heap keeps every worker far below the limit under load; /grow uses native memory
                .jvmFlags("-Xmx64m", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=1g")
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());

            KeepAliveLoad.Result result;
            long grown;
            try (KeepAliveLoad load = KeepAliveLoad.start(port, 10, "/", Duration.ofSeconds(120))) {
                RollingReloadIT.awaitRequests(load, 200, cluster);
                Http.Response grow = Http.fresh(port, "/grow?mb=400", Duration.ofSeconds(60));
                assertEquals(200, grow.status(), grow.toString());
                grown = grow.pid();
                int id = workers.get(0) == grown ? 0 : 1;
                cluster.awaitLine("^\\[jcluster\\] worker " + id + " \\(pid " + grown
                        + "\\) uses \\d+ MiB resident, above max-memory 300 MiB for 3s; replacing it", Duration.ofSeconds(30));
                cluster.awaitLine("^\\[jcluster\\] worker " + id + " \\(pid " + grown + "\\) drained in \\d+ms; stopping it",
                        Duration.ofSeconds(60));
                RollingReloadIT.awaitRequests(load, load.requestsSoFar() + 200, cluster); // the load goes on after it
                result = load.stop();
                long other = workers.get(1 - id);
                assertEquals(other, cluster.workerPid(1 - id), "the other worker was left alone");
                long replacement = cluster.workerPid(id);
                assertTrue(replacement != grown, "worker " + id + " has a new process");
                assertEquals(Set.of(other, replacement), cluster.awaitAnswering(port, 2, STARTUP));
            }
            System.out.println("[it] " + jdk + ": max-memory replacement under 10 keep-alive connections: " + result);
            assertEquals(0, result.errors(), "failed requests during the replacement: " + result + "\n" + cluster.describe());
            assertEquals(0, result.non2xx(), result.toString());
            // "stopping it" is logged as SIGTERM goes out: the JVM then runs its shutdown hooks and exits, within
            // shutdown-timeout (10 s by default) or it is killed
            ProcessHandle.of(grown).ifPresent(handle -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (ClusterProcess.isRunning(handle) && System.nanoTime() < deadline) {
                    ClusterProcess.sleep(50);
                }
                assertTrue(!ClusterProcess.isRunning(handle), "the grown worker " + grown + " was stopped");
            });
        }
    }
}
