package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.rmi.registry.LocateRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports that belong to each process, not to the cluster: Tomcat's shutdown port (private to each worker unless
 * port= names it; the parent listens where Tomcat would, for the shutdown command), an app's RMI registry (never clustered); and Tomcat's connector stop, which connects to its own
 * listener's address to wake its acceptor, still reaches its own worker.
 */
@Timeout(240)
class PerProcessPortsIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    static Stream<Jdk> jdks() {
        return Stream.of(Jdk.jdk17(), Jdk.temurin25());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void tomcatShutdownPortIsPrivateToEachWorkerByDefault(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int shutdownPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,strategy=round-robin")
                .launch("-jar", Stack.TOMCAT_NIO.jar().toString(), Integer.toString(port), "nio",
                        Integer.toString(shutdownPort)).start()) {
            Set<Long> workers = Set.copyOf(cluster.awaitWorkers(2, STARTUP).values());
            assertEquals(workers, cluster.awaitAnswering(port, 2, STARTUP), "both workers run (neither lost the"
                    + " shutdown port to the other)\n" + cluster.describe());
            cluster.awaitLine("^\\[w0\\] \\[jcluster\\] worker 0: Tomcat's shutdown port " + shutdownPort
                    + " is private to each worker", STARTUP);
            cluster.awaitLine("^\\[w1\\] tomcat app \\(nio\\) listening on port " + port + ", shutdown port "
                    + shutdownPort, STARTUP);
            // the parent listens there for the shutdown command itself (TomcatShutdownPortIT sends it)
            cluster.awaitLine("^\\[jcluster\\] Tomcat's shutdown port \\S+:" + shutdownPort
                    + ": the parent listens there", STARTUP);
            connect(shutdownPort); // an empty connection: no command, ignored
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains(":" + shutdownPort + " -> ")),
                    "the parent does not balance the shutdown port\n" + cluster.describe());
            assertEquals(Set.copyOf(cluster.startedWorkers().values()), workers, "no worker was restarted");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void tomcatShutdownPortIsClusteredWhenThePortOptionNamesIt(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int shutdownPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,port=" + port + ",port=" + shutdownPort)
                .launch("-jar", Stack.TOMCAT_NIO.jar().toString(), Integer.toString(port), "nio",
                        Integer.toString(shutdownPort)).start()) {
            cluster.awaitLine("^\\[jcluster\\] listening on \\S+:" + shutdownPort + " -> 2 workers", STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anAppsRmiRegistryIsNeverClustered(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int rmiPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=1")
                .mainClass("samples.rmi.RegistryServer").args(Integer.toString(port), Integer.toString(rmiPort))
                .start()) {
            long worker = cluster.awaitWorkers(1, STARTUP).get(0);
            assertEquals(Set.of(worker), cluster.awaitAnswering(port, 1, STARTUP));
            cluster.awaitLine("^\\[jcluster\\] worker 0 binds \\S+:" + rmiPort + " itself: not clustered", STARTUP);
            assertEquals(0, LocateRegistry.getRegistry("127.0.0.1", rmiPort).list().length,
                    "the worker's own registry answers on its port");
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains(":" + rmiPort + " -> ")),
                    "the parent does not balance the RMI port\n" + cluster.describe());
        }
    }

    /**
     * A Tomcat connector stops by connecting to its listener's local address to wake its blocked acceptor. That
     * connection must reach this worker even though the getters report the app's port (which is the parent's):
     * with the parent frozen, a stop that went through the balancer would hang for Tomcat's full unlock wait
     * (measured 2.4 s) instead of 0.4 s. One worker: a frozen parent holds the stop either way, a second worker
     * would only double the Spring Boot start-up.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void tomcatConnectorStopReachesItsOwnWorker(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=1")
                .launch("-jar", Stack.SPRING_BOOT.jar().toString(), "--server.port=" + port,
                        "--server.shutdown=graceful").start()) {
            long worker = cluster.awaitWorkers(1, STARTUP).get(0);
            assertEquals(Set.of(worker), cluster.awaitAnswering(port, 1, STARTUP));
            ProcessHandle handle = ProcessHandle.of(worker).orElseThrow();
            Signals.stop(cluster.pid());
            try {
                long start = System.nanoTime();
                Signals.term(worker);
                while (ClusterProcess.isRunning(handle) && System.nanoTime() - start < 10_000_000_000L) {
                    ClusterProcess.sleep(10);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("[it] Spring Boot worker stopped " + millis + " ms after SIGTERM (" + jdk + ")");
                assertTrue(millis < 1_500, "the worker took " + millis + " ms to stop: Tomcat's acceptor unlock did"
                        + " not reach it\n" + cluster.describe());
            } finally {
                Signals.send("CONT", cluster.pid());
            }
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }
}
