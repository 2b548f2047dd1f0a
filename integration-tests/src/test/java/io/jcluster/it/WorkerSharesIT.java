package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * N workers share the machine: without the user's own choice each worker JVM sees processors / N processors
 * (-XX:ActiveProcessorCount) and a max heap of the JVM's default 25% of RAM split N ways, and the parent says so
 * at startup; a user's -Xmx or -XX:ActiveProcessorCount is left alone.
 */
@Timeout(120)
class WorkerSharesIT {

    private static final long MIB = 1024 * 1024;

    /**
     * On {@link Jdk#both()}: the worker JVM's defaults are its JDK's; the third variant differs only in the parent's
     * transport.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void eachWorkerSeesItsShareOfProcessorsAndMemory(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int processors = Runtime.getRuntime().availableProcessors(); // the test runs on the same machine
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,strategy=round-robin")
                .mainClass("samples.probe.ProbeServer").args("--http", Integer.toString(port)).start()) {
            int share = Math.max(1, processors / 2);
            cluster.awaitLine("^\\[jcluster\\] each worker runs with -XX:ActiveProcessorCount=" + share + " \\("
                    + processors + " processors? shared by 2 workers", STARTUP);
            Matcher heap = cluster.awaitLine("^\\[jcluster\\] each worker runs with -XX:MaxRAMPercentage=12.5: max heap"
                    + " about (\\d+) MiB", STARTUP);
            long announced = Long.parseLong(heap.group(1));
            for (Map<String, String> info : infoOfBothWorkers(cluster, port).values()) {
                assertEquals(Integer.toString(share), info.get("processors"), info.toString());
                long seen = Long.parseLong(info.get("maxHeapMiB"));
                assertTrue(Math.abs(seen - announced) <= announced / 5 + 8, "worker max heap " + seen
                        + " MiB, announced about " + announced + " MiB");
            }
        }
    }

    /** On {@link Jdk#both()}, as above. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void theUsersOwnChoicesAreLeftAlone(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,strategy=round-robin")
                .jvmFlags("-Xmx96m", "-XX:ActiveProcessorCount=3")
                .mainClass("samples.probe.ProbeServer").args("--http", Integer.toString(port)).start()) {
            for (Map<String, String> info : infoOfBothWorkers(cluster, port).values()) {
                assertEquals("3", info.get("processors"), info.toString());
                long seen = Long.parseLong(info.get("maxHeapMiB"));
                assertTrue(seen > 80 && seen <= 96, "worker max heap " + seen + " MiB with -Xmx96m");
            }
            assertTrue(cluster.output().stream().noneMatch(line -> line.startsWith("[jcluster] each worker runs with")),
                    cluster.describe());
        }
    }

    private static Map<Long, Map<String, String>> infoOfBothWorkers(ClusterProcess cluster, int port) throws Exception {
        cluster.awaitWorkers(2, STARTUP);
        cluster.awaitAnswering(port, 2, STARTUP);
        Map<Long, Map<String, String>> byPid = new HashMap<>();
        for (int i = 0; i < 10 && byPid.size() < 2; i++) {
            Http.Response response = Http.fresh(port, "/info");
            Map<String, String> info = new HashMap<>();
            for (String line : response.body().split("\n")) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    info.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            byPid.put(response.pid(), info);
        }
        assertEquals(2, byPid.size(), "both workers' /info");
        return byPid;
    }
}
