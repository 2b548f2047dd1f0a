package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.tools.ToolProvider;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The workers get the parent's exact command line, whatever its shape. */
@Timeout(180)
class LaunchModesIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void jarLaunch(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin")
                .jar()
                .args(Integer.toString(port))
                .start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());
            Set<String> bodies = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                Http.Response response = Http.fresh(port, "/");
                bodies.add(response.body());
            }
            assertEquals(new TreeSet<>(Set.of(
                    "hello from worker 0 (pid " + workers.get(0) + ")\n",
                    "hello from worker 1 (pid " + workers.get(1) + ")\n")), bodies,
                    "each worker knows its JCLUSTER_WORKER_ID");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void awkwardArgumentsReachTheWorkersUnchanged(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        String[] args = {Integer.toString(port), "a b  c", "", "tab\there", "quote\"d 'single' $HOME *", "-Dnot.a.property=1"};
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin")
                .mainClass("samples.args.ArgsEcho")
                .args(args)
                .start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());
            Map<Long, String> argsByPid = new HashMap<>();
            for (int i = 0; i < 10 && argsByPid.size() < 2; i++) {
                Http.Response response = Http.fresh(port, "/args");
                argsByPid.put(response.pid(), response.body());
            }
            assertEquals(Set.copyOf(workers.values()), argsByPid.keySet());
            String expected = String.join("|", args);
            argsByPid.forEach((pid, actual) -> assertEquals(expected, actual, "arguments seen by worker pid " + pid));
        }
    }

    /** The parent's JDWP port is taken by the parent: workers must not die trying to bind it too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void jdwpAgentOnTheCommandLine(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int debugPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin")
                .jvmFlags("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debugPort)
                .mainClass("samples.hello.HelloServer")
                .args(Integer.toString(port))
                .start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());
            ClusterProcess.sleep(1000);
            assertEquals(Set.copyOf(workers.values()), Set.copyOf(cluster.startedWorkers().values()),
                    "no worker crashed and restarted\n" + cluster.describe());
        }
    }

    /**
     * One JDK: not a launch mode but the parent's handling of worker output (a pump, or inherited descriptors), the
     * same on every JDK.
     */
    @Test
    void workerOutputIsPrefixedOrInherited() throws Exception {
        Jdk jdk = Jdk.jdk17();
        for (String mode : new String[] {"prefix", "inherit"}) {
            int port = FreePorts.tcp();
            try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,log=" + mode)) {
                cluster.awaitListening("0.0.0.0:" + port, STARTUP);
                String ready = "hello server listening on port " + port;
                cluster.await(() -> cluster.stdout().stream().filter(line -> line.endsWith(ready)).count() == 2,
                        "both workers' startup lines", STARTUP);
                for (String line : cluster.stdout()) {
                    if (line.endsWith(ready)) {
                        assertEquals(mode.equals("prefix"), line.matches("^\\[w[01]\\] " + ready + "$"),
                                "log=" + mode + " line: " + line);
                        assertEquals(mode.equals("inherit"), line.equals(ready), "log=" + mode + " line: " + line);
                    }
                }
            }
        }
    }

    /** The demo as a named module and as a single-file source program: the launcher modes besides -cp and -jar. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void moduleAndSourceFileLaunches(Jdk jdk) throws Exception {
        Path source = Path.of("src/main/java/samples/hello/HelloServer.java").toAbsolutePath();
        Path dir = Files.createTempDirectory("jcluster-launch");
        try {
            Path module = Files.createDirectories(dir.resolve("mods/hello"));
            Path moduleInfo = Files.writeString(dir.resolve("module-info.java"),
                    "module hello { requires jdk.httpserver; }\n");
            int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                    "-d", module.toString(), moduleInfo.toString(), source.toString());
            assertEquals(0, compiled, "javac of the demo as module 'hello'");

            List<List<String>> launches = List.of(
                    List.of("-p", dir.resolve("mods").toString(), "-m", "hello/samples.hello.HelloServer"),
                    List.of(source.toString()));
            for (List<String> launch : launches) {
                int port = FreePorts.tcp();
                try (ClusterProcess cluster = ClusterProcess.on(jdk)
                        .agentArgs("processes=2,strategy=round-robin")
                        .launch(launch.toArray(new String[0]))
                        .args(Integer.toString(port))
                        .start()) {
                    Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
                    assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP),
                            launch + "\n" + cluster.describe());
                    Signals.term(cluster.pid());
                    assertEquals(0, cluster.awaitExit(STARTUP), "SIGTERM stops a " + launch + " launch cleanly\n"
                            + cluster.describe());
                }
            }
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
