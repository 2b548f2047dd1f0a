package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's parent never runs the app: on JDK 22+ it restarts itself once, in the same process (execve: the pid
 * the user started stays the parent's), with a heap and collector of its own after the app's {@code -Xmx4g
 * -XX:+UseParallelGC}, while every worker is started with the app's command line and environment exactly. Temurin 25
 * only: JDK 17-21 cannot replace a process image and run as started.
 */
@Timeout(120)
class ParentOwnFlagsIT {

    private static final String OURS = "-XX:-UseParallelGC -XX:+UseSerialGC -Xms8m -XX:MinHeapFreeRatio=10"
            + " -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=1000 -XX:-TieredCompilation";

    private static List<String> commandLine(long pid) throws Exception {
        return Arrays.asList(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
    }

    private static List<String> environment(long pid) throws Exception {
        return Arrays.asList(Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0"));
    }

    private static List<String> openFiles(long pid) throws Exception {
        try (var descriptors = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return descriptors.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException e) {
                    return "";
                }
            }).toList();
        }
    }

    /** The flags the running JVM really has (jcmd VM.flags), whatever its command line says. */
    private static String vmFlags(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Jdk.temurin25().java().resolveSibling("jcmd").toString(),
                Long.toString(pid), "VM.flags").redirectErrorStream(true).start();
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS), "jcmd " + pid + " VM.flags answered");
        return new String(jcmd.getInputStream().readAllBytes());
    }

    @Test
    void theParentRestartsOnceWithItsOwnHeapAndTheWorkersKeepTheAppsFlags() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25())
                .agentArgs("processes=2,strategy=round-robin")
                .jvmFlags("-Xmx4g", "-XX:+UseParallelGC", "-Dit.app.flag=kept")
                .env("_JAVA_OPTIONS", "-Dit.app.options=kept").env("JCLUSTER_PARENT_JVM", "own")
                .mainClass("samples.args.ArgsEcho").args(Integer.toString(port), "two words", "ü").start()) {
            long parent = cluster.pid();
            cluster.awaitLine("^\\[jcluster\\] the parent restarted itself in the same process \\(pid " + parent
                    + "\\) with JVM flags of its own, after the app's: " + OURS.replace("+", "\\+") + "; .*", STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            Http.Response args = Http.fresh(port, "/args", Duration.ofSeconds(10));
            assertEquals(port + "|two words|ü", args.body(), "the app's arguments survive the restart");

            // the parent: the app's command line as started, our flags in effect
            assertEquals(cluster.command(), commandLine(parent), "ps shows the app's command line");
            String parentFlags = vmFlags(parent);
            assertTrue(parentFlags.contains("-XX:+UseSerialGC") && parentFlags.contains("-XX:InitialHeapSize=8388608")
                    && !parentFlags.contains("-XX:+UseParallelGC"), parentFlags);
            assertTrue(environment(parent).contains("_JAVA_OPTIONS=-Dit.app.options=kept " + OURS),
                    environment(parent).toString());
            // the first image's own descriptors did not stay open in the second (closed on exec)
            Path modules = Jdk.temurin25().java().getParent().resolveSibling("lib").resolve("modules").toRealPath();
            assertEquals(1, openFiles(parent).stream().filter(modules.toString()::equals).count(),
                    openFiles(parent).toString());

            // each worker: the app's flags and environment, no marker
            for (long worker : workers.values()) {
                List<String> command = commandLine(worker);
                assertTrue(command.containsAll(List.of("-Xmx4g", "-XX:+UseParallelGC", "-Dit.app.flag=kept")),
                        command.toString());
                String flags = vmFlags(worker);
                assertTrue(flags.contains("-XX:+UseParallelGC") && flags.contains("-XX:MaxHeapSize=4294967296")
                        && !flags.contains("UseSerialGC"), flags);
                List<String> env = environment(worker);
                assertTrue(env.contains("_JAVA_OPTIONS=-Dit.app.options=kept"), env.toString());
                assertFalse(env.stream().anyMatch(variable -> variable.startsWith("JCLUSTER_PARENT_JVM_FLAGS=")),
                        env.toString());
            }
            assertEquals(1, cluster.output().stream().filter(line -> line.contains("the parent restarted itself"))
                    .count(), "restarted once: " + cluster.output());
            assertEquals(1, cluster.output().stream().filter(line -> line.contains("] listening on ")).count(),
                    cluster.output().toString());
        }
    }

    /** Without JCLUSTER_PARENT_JVM=own the parent keeps the app's flags (and prints no "Picked up" line). */
    @Test
    void withoutOwnTheParentKeepsTheAppsFlags() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25()).agentArgs("processes=1")
                .jvmFlags("-Xmx4g", "-XX:+UseParallelGC")
                .mainClass("samples.hello.HelloServer").args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 1, STARTUP);
            assertTrue(vmFlags(cluster.pid()).contains("-XX:+UseParallelGC"), vmFlags(cluster.pid()));
            assertFalse(cluster.output().stream().anyMatch(line -> line.contains("restarted itself")
                    || line.contains("Picked up")), cluster.output().toString());
        }
    }
}
