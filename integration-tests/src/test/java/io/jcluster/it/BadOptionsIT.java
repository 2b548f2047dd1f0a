package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bad option stops the launch at the door: one line on stderr naming the option, exit status
 * 2, no worker, no app. A config file is read, and an agent argument overrides it.
 */
@Timeout(120)
class BadOptionsIT {

    @TempDir
    Path dir;

    static Stream<Arguments> badOptions() {
        List<String> options = List.of("processes=0", "processes=abc", "strategy=fastest", "nosuch=1",
                "config=/nonexistent.properties", "proxy-protocol=v1");
        return Jdk.all().flatMap(jdk -> options.stream().map(option -> Arguments.of(jdk, option)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badOptions")
    void badOptionPrintsOneLineAndExitsTwo(Jdk jdk, String option) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, option)) {
            int status = cluster.awaitExit(Duration.ofSeconds(15));
            assertEquals(2, status, "exit status for " + option + "\n" + cluster.describe());
            List<String> errors = cluster.stderr().stream().filter(line -> !line.isBlank()).toList();
            assertEquals(1, errors.size(), "exactly one non-empty stderr line for " + option + ": " + errors);
            String line = errors.get(0);
            assertTrue(line.startsWith("jcluster: " + option + ": ") && line.length() > ("jcluster: " + option + ": ").length(),
                    "the line names the option and says what is accepted: " + line);
            assertFalse(cluster.output().stream().anyMatch(text -> ClusterProcess.STARTED.matcher(text).find()),
                    "no worker started\n" + cluster.describe());
            assertFalse(cluster.output().stream().anyMatch(text -> text.contains("hello server listening")),
                    "the app did not run\n" + cluster.describe());
            assertTrue(cluster.workerPids().isEmpty(), "no process forked: " + cluster.workerPids());
        }
    }

    /**
     * processes=1 (not 2: auto is 2 on a 2-core box, so a file saying 2 would prove nothing) and
     * strategy=round-robin (not the default), both only from the file. One JDK: the parent reads the file with its
     * own code, the same on every JDK.
     */
    @Test
    void configFileIsRead() throws Exception {
        Jdk jdk = Jdk.jdk17();
        Path config = Files.writeString(dir.resolve("cluster.properties"), "# test config\nprocesses=1\nstrategy=round-robin\n");
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "config=" + config)) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.contains("(round-robin, tcp, "), "strategy from the file: " + listening);
            assertTrue(listening.contains(" -> 1 worker ("), "processes=1 from the file: " + listening);
            Map<Integer, Long> workers = cluster.awaitWorkers(1, STARTUP);
            assertEquals(Set.of(workers.get(0)), cluster.awaitAnswering(port, 1, STARTUP));
            assertEquals(Set.of(0), cluster.startedWorkers().keySet(), "processes=1 from the file\n" + cluster.describe());
            for (int i = 0; i < 5; i++) {
                assertEquals(workers.get(0), Http.fresh(port, "/").pid());
            }
        }
    }

    /** One JDK, as above; Temurin 25 here. */
    @Test
    void agentArgumentOverridesConfigFile() throws Exception {
        Jdk jdk = Jdk.temurin25();
        Path config = Files.writeString(dir.resolve("cluster.properties"), "processes=1\nstrategy=round-robin\n");
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "config=" + config + ",processes=2")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.contains("(round-robin, tcp, "), "keys the argument does not set still come from the file: " + listening);
            assertTrue(listening.contains(" -> 2 workers ("), "processes=2 from the argument: " + listening);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());
            assertEquals(Set.of(0, 1), cluster.startedWorkers().keySet(), "processes=2 from the argument\n" + cluster.describe());
        }
    }
}
