package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent added the way containers and PaaS add agents: JAVA_TOOL_OPTIONS (read by every JVM) or JDK_JAVA_OPTIONS
 * (read by the java launcher). The workers inherit the variable, so each loads the agent once, from it, as a worker;
 * JVMs that are not the app (the JDK's tools, jcluster's own CLI) stay what they are. One JDK: the JVM reads these
 * variables the same way on every supported version.
 */
@Timeout(180)
class JavaToolOptionsIT {

    private static String agent(String options) throws java.io.IOException {
        return "-javaagent:" + AgentSnapshot.path() + "=" + options;
    }

    @Test
    void javaToolOptionsAndJdkJavaOptionsClusterTheAppWithEachWorkerLoadingTheAgentOnce() throws Exception {
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            int port = FreePorts.tcp();
            try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                    .env(variable, agent("processes=2")).mainClass("samples.hello.HelloServer")
                    .args(Integer.toString(port)).start()) {
                Set<Long> pids = cluster.awaitAnswering(port, 2, STARTUP);
                assertEquals(2, pids.size(), variable + ": " + cluster.describe());
                assertFalse(pids.contains(cluster.pid()), variable + ": the parent never runs the app");
                for (long pid : pids) {
                    ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
                    assertEquals(cluster.pid(), worker.parent().map(ProcessHandle::pid).orElse(-1L),
                            variable + ": worker " + pid + " is the parent's child");
                    // a worker that took itself for a parent would have started workers of its own
                    assertEquals(0, worker.children().count(), variable + ": worker " + pid + " started no JVM\n"
                            + cluster.describe());
                }
                assertEquals(2, cluster.process().toHandle().children().count(), variable + ": the parent started"
                        + " exactly the 2 workers\n" + cluster.describe());
            }
        }
    }

    /** -javaagent on the command line and in JAVA_TOOL_OPTIONS: the first (JAVA_TOOL_OPTIONS) applies, said once. */
    @Test
    void anAgentNamedTwiceWithDifferentOptionsIsSaidOnceAndTheFirstApplies() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17()).agentArgs("processes=3")
                .env("JAVA_TOOL_OPTIONS", agent("processes=2")).mainClass("samples.hello.HelloServer")
                .args(Integer.toString(port)).start()) {
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            ClusterProcess.sleep(1000); // a third worker, or a warning from a worker, would show by now
            assertEquals(2, cluster.process().toHandle().children().count(), cluster.describe());
            List<String> warnings = cluster.stderr().stream().filter(line -> line.contains("the agent is named twice"))
                    .toList();
            assertEquals(List.of("[jcluster] the agent is named twice (JAVA_TOOL_OPTIONS and -javaagent?) with"
                    + " different options: 'processes=2' applies, 'processes=3' is ignored; name it once"), warnings,
                    cluster.describe());
        }
    }

    /**
     * With JAVA_TOOL_OPTIONS set for the whole container, {@code jcmd} and {@code java -jar jcluster.jar status} also
     * load the agent: they must still do their own job, not become cluster parents.
     */
    @Test
    void jdkToolsAndJclustersOwnCliStayThemselves() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                .env("JAVA_TOOL_OPTIONS", agent("processes=1,admin=" + adminPort)).mainClass("samples.hello.HelloServer")
                .args(Integer.toString(port)).start()) {
            cluster.awaitAnswering(port, 1, STARTUP);
            try (ClusterProcess cli = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                    .env("JAVA_TOOL_OPTIONS", agent("processes=2"))
                    .launch("-jar", AgentSnapshot.path().toString(), "status", "--admin", "127.0.0.1:" + adminPort)
                    .start()) {
                assertEquals(0, cli.awaitExit(Duration.ofSeconds(60)), cli.describe());
                assertTrue(cli.stdout().stream().anyMatch(line -> line.startsWith("jcluster: up ")), cli.describe());
            }
            Run jcmd = run(List.of(Jdk.jdk17().home().resolve("bin/jcmd").toString(), "-l"),
                    agent("processes=2"));
            assertEquals(0, jcmd.exitStatus(), jcmd.toString());
            assertTrue(jcmd.stdout().contains(Long.toString(cluster.pid())), "jcmd -l lists the JVMs: " + jcmd);
        }
    }

    record Run(int exitStatus, String stdout, String stderr) {
    }

    /** {@code command} with JAVA_TOOL_OPTIONS set, killed by pid (its and its children's) after 60 s. */
    private static Run run(List<String> command, String javaToolOptions) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("JCLUSTER_"));
        builder.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions);
        Process process = builder.start();
        process.getOutputStream().close();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(started::add);
                throw new AssertionError(command + " still running after 60 s");
            }
            return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
