package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the bind hooks the parent prepared are not there, a worker instruments the JDK itself (with Byte Buddy)
 * and is clustered all the same.
 */
@Timeout(180)
class SelfInstrumentingWorkerIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void aWorkerWithoutPreparedHooksInstrumentsItself(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());

            Path directory = Path.of(ControlChannelSecurityIT.environ(workers.get(0)).get("JCLUSTER_CONTROL")).getParent();
            List<Path> prepared;
            try (Stream<Path> files = Files.list(directory)) {
                // on JDK 22+ also sun.launcher.LauncherHelper.class: the launch redirect the restarted parent took from here
                prepared = files.filter(file -> file.toString().endsWith(".class")
                        && !file.getFileName().toString().equals("sun.launcher.LauncherHelper.class"))
                        .collect(Collectors.toList());
            }
            assertEquals(6, prepared.size(), "the parent prepared the 6 classes: the 4 that bind (ServerSocket, the two"
                    + " channels, the channel's socket() adaptor) and the 2 accept paths that show the client's address"
                    + " (NioSocketImpl, UnixAsynchronousServerSocketChannelImpl): " + prepared);
            for (Path file : prepared) {
                Files.delete(file);
            }

            long victim = workers.get(0);
            Signals.kill(victim);
            cluster.await(() -> cluster.startedWorkers().get(0) != victim, "worker 0 restarted", STARTUP);
            Set<Long> answering = cluster.awaitAnswering(port, 2, STARTUP);
            assertTrue(answering.contains(cluster.workerPid(0)), "the self-instrumented worker " + cluster.workerPid(0)
                    + " is clustered: " + answering + "\n" + cluster.describe());
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains("could not instrument")),
                    cluster.describe());
        }
    }
}
