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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker killed with SIGKILL: no request fails once the parent noticed, and the worker is restarted. */
@Timeout(180)
class WorkerCrashIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void killedWorkerIsRoutedAroundAndRestarted(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());

            long victim = workers.get(0);
            long survivor = workers.get(1);
            Signals.kill(victim);
            cluster.awaitLine("^\\[jcluster\\] worker 0 \\(pid " + victim + "\\) exited with status -?\\d+\\b.*; restarting in \\S+",
                    Duration.ofSeconds(10));

            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                try {
                    Http.Response response = Http.fresh(port, "/");
                    if (response.status() != 200) {
                        failures.add("request " + i + ": status " + response.status() + " " + response.body());
                    } else if (response.pid() == victim) {
                        failures.add("request " + i + ": answered by the killed pid " + victim + "?!");
                    }
                } catch (IOException e) {
                    failures.add("request " + i + ": " + e);
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of 50 requests failed after the crash was noticed: "
                    + failures + "\n" + cluster.describe());

            cluster.await(() -> cluster.startedWorkers().get(0) != victim, "new 'worker 0 started' line", STARTUP);
            long replacement = cluster.workerPid(0);
            assertNotEquals(victim, replacement);
            assertEquals(survivor, cluster.workerPid(1), "the other worker was left alone");
            Set<Long> answered = cluster.awaitAnswering(port, 2, STARTUP);
            assertEquals(Set.of(replacement, survivor), answered, "the restarted worker serves requests\n" + cluster.describe());
        }
    }
}
