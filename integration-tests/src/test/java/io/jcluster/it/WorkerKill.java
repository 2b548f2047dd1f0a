package io.jcluster.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 of worker 0 of a 2-worker cluster, and what must follow: no failed request, and a replacement that serves. */
final class WorkerKill {

    private WorkerKill() {
    }

    static void killWorkerZeroAndKeepServing(ClusterProcess cluster, int port, long victim, long survivor, int requests) {
        Signals.kill(victim);
        cluster.awaitLine("^\\[jcluster\\] worker 0 \\(pid " + victim + "\\) exited with status -?\\d+\\b.*; restarting in \\S+",
                Duration.ofSeconds(10));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
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
        assertTrue(failures.isEmpty(), failures.size() + " of " + requests + " requests failed after the crash was"
                + " noticed: " + failures + "\n" + cluster.describe());
        cluster.await(() -> cluster.startedWorkers().get(0) != victim, "new 'worker 0 started' line", STARTUP);
        long replacement = cluster.workerPid(0);
        assertNotEquals(victim, replacement);
        assertEquals(survivor, cluster.workerPid(1), "the other worker was left alone");
        assertEquals(Set.of(replacement, survivor), cluster.awaitAnswering(port, 2, STARTUP),
                "the replacement serves\n" + cluster.describe());
    }
}
