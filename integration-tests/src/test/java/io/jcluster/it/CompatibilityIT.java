package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compatibility matrix: every {@link Stack}'s unmodified sample app, on JDK 17 and on Temurin 25, as a
 * 2-worker cluster. Each cell checks that both workers answer through the balancer, that the app's own startup
 * line reports the port it asked for (not the private one jcluster gave it), that kill -9 of a worker is survived
 * (every request after the parent noticed succeeds, and the replacement serves), and that SIGTERM to the parent
 * exits 0 with no process left. A cell that cannot run here is ABORTED (reported as skipped) with its reason,
 * never passed. Cells run two at a time (and never beside another test class); {@link CompatibilityReport} writes what ran to
 * target/compatibility-matrix.md.
 */
@Timeout(240)
@ExtendWith(CompatibilityReport.class)
class CompatibilityIT {

    /** Generous: two cells run at once on a small machine, and Spring Boot workers start in seconds each. */
    private static final Duration STARTUP = Duration.ofSeconds(90);

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Stack stack : Stack.values()) {
            for (Jdk jdk : List.of(Jdk.jdk17(), Jdk.temurin25())) {
                cells.add(Arguments.of(stack, jdk));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cells")
    @Execution(ExecutionMode.CONCURRENT) // cells run side by side, never beside another test class
    void unmodifiedAppRunsAsTwoWorkerCluster(Stack stack, Jdk jdk) throws Exception {
        String unsupported = stack.unsupportedHere();
        if (unsupported != null) {
            System.err.println("\n!!!!! " + stack + " on " + jdk + " skipped: " + unsupported + " !!!!!\n");
            Assumptions.abort(unsupported);
        }
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,strategy=round-robin")
                .launch(stack.launch(port).toArray(String[]::new)).start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            cluster.awaitLine("^\\[jcluster\\] listening on \\S+:" + port + " -> 2 workers", STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP),
                    "both workers answer through the balancer\n" + cluster.describe());
            for (int id = 0; id < 2; id++) {
                // what the app sees: its own startup line names its own port, not the private one
                cluster.awaitLine("^\\[w" + id + "\\] .*" + String.format(stack.portLine, port), STARTUP);
            }

            WorkerKill.killWorkerZeroAndKeepServing(cluster, port, workers.get(0), workers.get(1), 20);

            List<ProcessHandle> processes = cluster.rememberedProcesses();
            Signals.term(cluster.pid());
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)), "parent exit status after SIGTERM\n" + cluster.describe());
            ClusterProcess.assertNoneRunning(processes, cluster);
        }
    }
}
