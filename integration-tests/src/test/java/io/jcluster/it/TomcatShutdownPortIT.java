package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 1 of issue 17 on the stock Apache Tomcat distribution: {@code catalina.sh run} with the agent serves from
 * two workers; a wrong shutdown command on server.xml's shutdown port stops nothing; {@code catalina.sh stop} stops
 * the whole cluster gracefully (as SIGTERM: every worker exits on its SIGTERM, none is killed), within
 * shutdown-timeout, no process left.
 * One JDK: nothing here differs per JDK.
 */
@Timeout(180)
class TomcatShutdownPortIT {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern WORKER = Pattern.compile("worker=(\\d+)");

    @Test
    void catalinaStopStopsTheClusterAndAWrongShutdownCommandDoesNot(@TempDir Path directory) throws Exception {
        int port = FreePorts.tcp();
        TomcatDistribution tomcat = TomcatDistribution.base(directory, port).deployResource("counter");
        try (ClusterProcess cluster = tomcat.catalinaRun(Jdk.jdk17(), "processes=2,mode=http,strategy=round-robin,"
                + "shutdown-timeout=" + SHUTDOWN_TIMEOUT.toSeconds() + "s").start()) {
            cluster.awaitListening("127.0.0.1:" + port, STARTUP);
            cluster.awaitWorkers(2, STARTUP);
            // server.xml's <Server port=... shutdown="SHUTDOWN">: each worker's Tomcat tells the parent, which listens
            cluster.awaitLine("^\\[jcluster\\] Tomcat's shutdown port \\S+:" + tomcat.shutdownPort()
                    + ": the parent listens there", STARTUP);
            assertEquals(Set.of(0, 1), servingWorkers(cluster, port));
            // the workers, not every remembered descendant: catalina.sh's own short-lived helpers (uname, ...) are
            // remembered too, and have ended by now
            Map<Integer, Long> workers = Map.copyOf(cluster.startedWorkers());

            // as Catalina#stopServer connects: to server.xml's address ("localhost"), the command, then close
            send(tomcat.shutdownPort(), "SHUTDOWN-NOT\n");
            send(tomcat.shutdownPort(), "shutdown");
            cluster.awaitLine("^\\[jcluster\\] an invalid shutdown command arrived on Tomcat's shutdown port \\S+:"
                    + tomcat.shutdownPort() + " from .*; ignored", STARTUP);
            assertEquals(Set.of(0, 1), servingWorkers(cluster, port), "a wrong command stops nothing");
            assertEquals(workers, Map.copyOf(cluster.startedWorkers()), "no worker was restarted either\n"
                    + cluster.describe());
            assertTrue(workers.values().stream().allMatch(pid -> ProcessHandle.of(pid).map(ClusterProcess::isRunning)
                    .orElse(false)), "both workers still run\n" + cluster.describe());

            try (ClusterProcess stop = tomcat.catalinaStop(Jdk.jdk17()).start()) {
                assertEquals(0, stop.awaitExit(STARTUP), "catalina.sh stop\n" + stop.describe());
                assertTrue(stop.output().stream().noneMatch(line -> line.contains("Connection refused")),
                        stop.describe());
            }
            cluster.awaitLine("^\\[jcluster\\] Tomcat's shutdown command received on \\S+:" + tomcat.shutdownPort()
                    + "; stopping", STARTUP);
            // within shutdown-timeout, plus time for the JVMs to exit on a loaded machine
            assertEquals(0, cluster.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(20)), cluster.describe());
            ClusterProcess.assertNoneRunning(cluster.rememberedProcesses(), cluster);
            // graceful: each worker exited on SIGTERM within the grace, none had to be killed
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains("of SIGTERM; killing it")),
                    cluster.describe());
            assertTrue(cluster.output().contains("[jcluster] stopped"), cluster.describe());
        }
    }

    /** The workers the counter page names over fresh connections (round-robin: both within a few requests). */
    private static Set<Integer> servingWorkers(ClusterProcess cluster, int port) throws IOException {
        Set<Integer> workers = new TreeSet<>();
        for (int request = 0; request < 20 && workers.size() < 2; request++) {
            Http.Response response = Http.fresh(port, "/counter/counter.jsp");
            assertEquals(200, response.status(), response + "\n" + cluster.describe());
            Matcher worker = WORKER.matcher(response.body());
            assertTrue(worker.find(), response.body());
            workers.add(Integer.parseInt(worker.group(1)));
        }
        return workers;
    }

    private static void send(int shutdownPort, String command) throws IOException {
        try (Socket socket = new Socket("localhost", shutdownPort)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "the parent answers nothing and closes");
        }
    }
}
