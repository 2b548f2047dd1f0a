package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker whose server deadlocks (GET /hang: its accepting thread and a handler thread wait for each other's
 * locks) is found by the health probe within 3 probe intervals, its thread dump (naming the deadlock) is logged,
 * it is replaced, and requests keep succeeding on the other worker.
 */
@Timeout(180)
class HealthCheckIT {

    private static final long INTERVAL_MILLIS = 2_000;

    /**
     * On {@link Jdk#both()}: the thread dump is the worker JDK's; the third variant differs only in the parent's
     * transport.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void deadlockedWorkerIsDetectedDumpedAndReplaced(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,health=/health,health-interval=" + INTERVAL_MILLIS + "ms")
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());

            Http.Response hang = Http.fresh(port, "/hang");
            long hungAt = System.nanoTime();
            long hung = hang.pid();
            int hungId = workers.get(0) == hung ? 0 : 1;
            long healthy = workers.get(1 - hungId);

            cluster.awaitLine("^\\[jcluster\\] worker " + hungId + " \\(pid " + hung
                    + "\\) failed 3 health probes in a row", Duration.ofSeconds(30));
            long detectionMillis = (System.nanoTime() - hungAt) / 1_000_000;
            System.out.println("[it] " + jdk + ": deadlocked worker detected " + detectionMillis + " ms after /hang"
                    + " (health-interval " + INTERVAL_MILLIS + " ms, threshold 3)");
            // probes every interval, every interval/2 after a failure, each timing out at interval/2: at most
            // 2.5 intervals; 3 intervals is the promise, plus a second for a busy machine
            assertTrue(detectionMillis <= 3 * INTERVAL_MILLIS + 1_000,
                    "detected after " + detectionMillis + " ms\n" + cluster.describe());

            cluster.awaitLine("^\\[jcluster\\] thread dump of worker " + hungId + " \\(pid " + hung + "\\):",
                    Duration.ofSeconds(10));
            cluster.awaitLine("^\\[jcluster\\]   DEADLOCK: .*\"ops-hang\"", Duration.ofSeconds(5));
            cluster.awaitLine("^\\[jcluster\\]   \"ops-hang\" #\\d+ BLOCKED on .* owned by \"HTTP-Dispatcher\"",
                    Duration.ofSeconds(5));
            cluster.awaitLine("^\\[jcluster\\]       at .*samples\\.ops\\.OpsServer\\.holdHandlerLockForever",
                    Duration.ofSeconds(5));

            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                try {
                    Http.Response response = Http.fresh(port, "/", Duration.ofSeconds(5));
                    if (response.status() != 200 || response.pid() == hung) {
                        failures.add("request " + i + ": " + response.status() + " from pid " + response.pid());
                    }
                } catch (IOException e) {
                    failures.add("request " + i + ": " + e);
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of 40 requests failed once the deadlock was detected: "
                    + failures + "\n" + cluster.describe());

            cluster.await(() -> cluster.startedWorkers().get(hungId) != hung, "a replacement for worker " + hungId, STARTUP);
            long replacement = cluster.workerPid(hungId);
            assertEquals(Set.of(healthy, replacement), cluster.awaitAnswering(port, 2, STARTUP),
                    "the replacement serves beside the healthy worker\n" + cluster.describe());
            ProcessHandle.of(hung).ifPresent(handle -> {
                cluster.await(() -> !ClusterProcess.isRunning(handle), "the deadlocked worker " + hung + " to be stopped",
                        Duration.ofSeconds(20));
            });
        }
    }
}
