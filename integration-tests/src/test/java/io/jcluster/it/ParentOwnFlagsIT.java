package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
 * The agent's parent never runs the app: on JDK 22+ it restarts itself once by default, in the same process (execve:
 * the pid the user started stays the parent's), with a heap and collector of its own after the app's {@code -Xmx4g
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

    /** The restarted parent's command line: the app's, with our flags before the main class. */
    private static List<String> withOursBeforeMain(List<String> app, String mainClass) {
        List<String> restarted = new java.util.ArrayList<>(app);
        restarted.addAll(app.indexOf(mainClass), Arrays.asList(OURS.split(" ")));
        return restarted;
    }

    /** The lines of a class-load log ({@code -Xlog:class+load}) that name a Byte Buddy class. */
    private static long byteBuddyClasses(Path log) throws Exception {
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(".net.bytebuddy.")).count();
        }
    }

    /**
     * Also: the image before the restart does the Byte Buddy work (the launch redirect, the workers' bind hooks) and
     * hands it over in the control directory, so the restarted parent loads none of Byte Buddy's ~650 classes, and
     * the workers none either.
     */
    @Test
    void byDefaultTheParentRestartsOnceWithItsOwnHeapAndTheWorkersKeepTheAppsFlags(@TempDir Path logs)
            throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25())
                .agentArgs("processes=2,strategy=round-robin")
                .jvmFlags("-Xmx4g", "-XX:+UseParallelGC", "-Dit.app.flag=kept",
                        "-Xlog:class+load:file=" + logs.resolve("classes-%p.txt"))
                .mainClass("samples.args.ArgsEcho").args(Integer.toString(port), "two words", "ü").start()) {
            long parent = cluster.pid();
            cluster.awaitLine("^\\[jcluster\\] the parent runs with JVM flags of its own after the app's \\(it"
                    + " restarted itself once, same pid " + parent + "\\): " + OURS.replace("+", "\\+") + "; .*",
                    STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            Http.Response args = Http.fresh(port, "/args", Duration.ofSeconds(10));
            assertEquals(port + "|two words|ü", args.body(), "the app's arguments survive the restart");

            // the parent: our flags on its command line, after the app's and before the main class, and in effect
            assertEquals(withOursBeforeMain(cluster.command(), "samples.args.ArgsEcho"), commandLine(parent));
            String parentFlags = vmFlags(parent);
            assertTrue(parentFlags.contains("-XX:+UseSerialGC") && parentFlags.contains("-XX:InitialHeapSize=8388608")
                    && !parentFlags.contains("-XX:+UseParallelGC"), parentFlags);
            assertFalse(environment(parent).stream().anyMatch(variable -> variable.startsWith("_JAVA_OPTIONS=")),
                    environment(parent).toString());
            // the first image's own descriptors did not stay open in the second (closed on exec)
            Path modules = Jdk.temurin25().java().getParent().resolveSibling("lib").resolve("modules").toRealPath();
            assertEquals(1, openFiles(parent).stream().filter(modules.toString()::equals).count(),
                    openFiles(parent).toString());
            // the JVM keeps the first image's log as .0 when the second opens the same file
            Path restartedClasses = logs.resolve("classes-" + parent + ".txt");
            assertTrue(byteBuddyClasses(logs.resolve("classes-" + parent + ".txt.0")) > 100,
                    "the image before the restart transformed the classes with Byte Buddy");
            assertTrue(Files.readString(restartedClasses).contains("sun.launcher.LauncherHelper"));
            assertEquals(0, byteBuddyClasses(restartedClasses), "the restarted parent loads no Byte Buddy");

            // each worker: the app's flags and environment, none of ours, no marker
            for (long worker : workers.values()) {
                List<String> command = commandLine(worker);
                assertTrue(command.containsAll(List.of("-Xmx4g", "-XX:+UseParallelGC", "-Dit.app.flag=kept")),
                        command.toString());
                assertFalse(command.contains("-XX:+UseSerialGC") || command.contains("-Xms8m"), command.toString());
                String flags = vmFlags(worker);
                assertTrue(flags.contains("-XX:+UseParallelGC") && flags.contains("-XX:MaxHeapSize=4294967296")
                        && !flags.contains("UseSerialGC"), flags);
                List<String> env = environment(worker);
                assertFalse(env.stream().anyMatch(variable -> variable.startsWith("JCLUSTER_PARENT_JVM_FLAGS=")
                        || variable.startsWith("JCLUSTER_PARENT_DIRECTORY=") || variable.startsWith("_JAVA_OPTIONS=")),
                        env.toString());
                assertEquals(0, byteBuddyClasses(logs.resolve("classes-" + worker + ".txt")),
                        "the worker installs the bind hooks prepared before the parent's restart");
            }
            assertEquals(1, cluster.output().stream().filter(line -> line.contains("restarted itself once"))
                    .count(), "restarted once: " + cluster.output());
            assertFalse(cluster.output().stream().anyMatch(line -> line.contains("Picked up")),
                    cluster.output().toString());
            assertEquals(1, cluster.output().stream().filter(line -> line.contains("] listening on ")).count(),
                    cluster.output().toString());
        }
    }

    /**
     * The JVM reads {@code _JAVA_OPTIONS} after the command line: where the app has some, ours go after them there
     * (the command line stays the app's), and the workers get the app's back.
     */
    @Test
    void withTheAppsJavaOptionsOursGoAfterThem() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25())
                .agentArgs("processes=1")
                .jvmFlags("-Xmx4g", "-Dit.app.flag=kept")
                .env("_JAVA_OPTIONS", "-Dit.app.options=kept -XX:+UseParallelGC").env("JCLUSTER_PARENT_JVM", "own")
                .mainClass("samples.hello.HelloServer").args(Integer.toString(port)).start()) {
            long parent = cluster.pid();
            Map<Integer, Long> workers = cluster.awaitWorkers(1, STARTUP);
            cluster.awaitAnswering(port, 1, STARTUP);
            cluster.awaitLine("^\\[jcluster\\] the parent runs with JVM flags of its own .*", STARTUP);
            assertEquals(cluster.command(), commandLine(parent), "ps shows the app's command line");
            assertTrue(environment(parent).contains("_JAVA_OPTIONS=-Dit.app.options=kept -XX:+UseParallelGC " + OURS),
                    environment(parent).toString());
            assertTrue(vmFlags(parent).contains("-XX:+UseSerialGC"), vmFlags(parent));
            for (long worker : workers.values()) {
                assertTrue(environment(worker).contains("_JAVA_OPTIONS=-Dit.app.options=kept -XX:+UseParallelGC"),
                        environment(worker).toString());
                assertTrue(vmFlags(worker).contains("-XX:+UseParallelGC"), vmFlags(worker));
            }
        }
    }

    /** With JCLUSTER_PARENT_JVM=keep the parent keeps the app's flags (and prints no "Picked up" line). */
    @Test
    void withKeepTheParentKeepsTheAppsFlags() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25()).agentArgs("processes=1")
                .jvmFlags("-Xmx4g", "-XX:+UseParallelGC").env("JCLUSTER_PARENT_JVM", "keep")
                .mainClass("samples.hello.HelloServer").args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 1, STARTUP);
            assertTrue(vmFlags(cluster.pid()).contains("-XX:+UseParallelGC"), vmFlags(cluster.pid()));
            assertEquals(cluster.command(), commandLine(cluster.pid()));
            assertFalse(cluster.output().stream().anyMatch(line -> line.contains("restarted itself")
                    || line.contains("Picked up")), cluster.output().toString());
        }
    }
}
