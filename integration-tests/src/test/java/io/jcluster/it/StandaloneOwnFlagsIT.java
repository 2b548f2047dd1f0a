package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar jcluster.jar balance ...} with the JVM's defaults restarts itself once, in the same process
 * (execve, JDK 22+), with JVM flags chosen for a proxy before the user's: the pid is the one the user started, so
 * signals and the exit status are the balancer's own. Temurin 25 only: JDK 17 has no way to replace its process
 * image and runs as started (bench/RESULTS.md "Memory" measures both).
 */
@Timeout(120)
class StandaloneOwnFlagsIT {

    private static List<String> commandLine(long pid) throws Exception {
        String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        return Arrays.asList(raw.split("\0"));
    }

    private static long count(ClusterProcess process, String fragment) {
        return process.output().stream().filter(line -> line.contains(fragment)).count();
    }

    @Test
    void restartsOnceInTheSameProcessWithTheUsersFlagsLastAndStopsOnSigtermWithStatusZero() throws Exception {
        int port = FreePorts.tcp();
        int backend = FreePorts.tcp();
        try (ClusterProcess balancer = ClusterProcess.on(Jdk.temurin25()).withoutAgent()
                .jvmFlags("-Dit.user.flag=kept", "-XX:TrimNativeHeapInterval=0")
                .launch("-jar", AgentSnapshot.path().toString(), "balance")
                .args("--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + backend).start()) {
            balancer.awaitLine("^\\[jcluster\\] running with JVM flags of its own, before yours: "
                    + "-XX:\\+UseSerialGC -Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-TieredCompilation "
                    + "\\(JCLUSTER_BALANCE_JVM=keep: only yours\\)", STARTUP);
            List<String> command = commandLine(balancer.pid());
            // ours first, then the user's: the user's TrimNativeHeapInterval replaced ours (a family the user set)
            int jar = command.indexOf("-jar");
            assertEquals(List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
                    "-XX:-TieredCompilation", "-Dit.user.flag=kept", "-XX:TrimNativeHeapInterval=0"),
                    command.subList(1, jar), command.toString());
            assertEquals("balance", command.get(jar + 2), command.toString());
            assertEquals(1, count(balancer, "] balancing 127.0.0.1:" + port), "one balancer, started once: "
                    + balancer.output());
            assertEquals(1, count(balancer, "running with JVM flags of its own"), balancer.output().toString());

            Signals.term(balancer.pid()); // the pid the user knows is the balancer itself
            assertEquals(0, balancer.awaitExit(Duration.ofSeconds(30)), balancer.describe());
            assertTrue(balancer.output().stream().anyMatch(line -> line.endsWith("[jcluster] stopped")),
                    balancer.output().toString());
        }
    }

    @Test
    void aBadCommandLineStillExitsWithStatusTwoOnceAndKeepOffSkipsTheRestart() throws Exception {
        try (ClusterProcess bad = ClusterProcess.on(Jdk.temurin25()).withoutAgent()
                .launch("-jar", AgentSnapshot.path().toString(), "balance").args("--listen", "nonsense").start()) {
            assertEquals(2, bad.awaitExit(STARTUP), bad.describe());
            assertEquals(1, count(bad, "jcluster balance: "), "one JVM said it: " + bad.output());
        }
        int port = FreePorts.tcp();
        try (ClusterProcess kept = ClusterProcess.on(Jdk.temurin25()).withoutAgent()
                .launch("-jar", AgentSnapshot.path().toString(), "balance")
                .args("--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + FreePorts.tcp())
                .env("JCLUSTER_BALANCE_JVM", "keep").start()) {
            kept.awaitLine("^\\[jcluster\\] balancing 127\\.0\\.0\\.1:" + port, STARTUP);
            assertFalse(commandLine(kept.pid()).contains("-XX:+UseSerialGC"), commandLine(kept.pid()).toString());
            assertEquals(0, count(kept, "running with JVM flags of its own"), kept.output().toString());
        }
    }

    /**
     * Netty's pooled allocator checks a Flight Recorder event on each chunk it allocates (the io_uring buffer ring
     * allocates one as its event loop starts), which loaded jdk.jfr into a balancer that records nothing: the
     * balancer turns Netty's events off under the name the shaded jar reads, unless the user's -D says otherwise.
     */
    @Test
    void nettysFlightRecorderEventsStayUnloaded(@TempDir Path dir) throws Exception {
        int port = FreePorts.tcp();
        Path classes = dir.resolve("classes.log");
        try (ClusterProcess balancer = ClusterProcess.on(Jdk.temurin25()).withoutAgent()
                .jvmFlags("-Xlog:class+load=info:file=" + classes)
                .launch("-jar", AgentSnapshot.path().toString(), "balance")
                .args("--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + FreePorts.tcp())
                .env("JCLUSTER_BALANCE_JVM", "keep").start()) {
            String started = balancer.awaitLine("^\\[jcluster\\] balancing 127\\.0\\.0\\.1:" + port + ".*", STARTUP)
                    .group();
            Assumptions.assumeTrue(started.contains("io_uring"), "LOUD SKIP: no io_uring here, so no buffer ring"
                    + " allocates a pooled chunk at start: " + started);
            List<String> loaded = Files.readAllLines(classes);
            String chunk = " io.jcluster.shaded.io.netty.buffer.PoolChunk ";
            assertTrue(loaded.stream().anyMatch(line -> line.contains(chunk)),
                    "the ring allocated a pooled chunk: " + loaded.size() + " classes");
            assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" jdk.jfr.Event ")).toList());
        }
    }
}
