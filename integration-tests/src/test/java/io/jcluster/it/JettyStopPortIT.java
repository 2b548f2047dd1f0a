package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17's "a distribution's own stop command stops the cluster" on the stock Eclipse Jetty distribution:
 * {@code java -javaagent:jcluster.jar -jar start.jar STOP.PORT=S STOP.KEY=K} serves a static app from two workers;
 * {@code start.jar --stop} with a wrong STOP.KEY stops nothing; with the right one it exits 0 after Jetty's own
 * "Server reports itself as Stopped", by which time every worker has exited on its SIGTERM (none killed), and the
 * parent exits within shutdown-timeout, no process left.
 * One JDK: nothing here differs per JDK.
 */
@Timeout(180)
class JettyStopPortIT {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    private static final String KEY = "it-stop-key";
    private static final Pattern WORKER = Pattern.compile(" worker=(\\d+) ");

    @Test
    void startJarStopStopsTheClusterAndAWrongKeyDoesNot(@TempDir Path directory) throws Exception {
        Jdk jdk = Jdk.jdk17();
        JettyDistribution jetty = JettyDistribution.base(jdk, directory, "http,static-deploy");
        int port = FreePorts.tcp();
        int stopPort = FreePorts.tcp();
        Path accessLog = directory.resolve("access.log");
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,mode=http,strategy=round-robin,shutdown-timeout="
                        + SHUTDOWN_TIMEOUT.toSeconds() + "s,access-log=" + accessLog)
                .launch(jetty.startJar("jetty.http.host=127.0.0.1", "jetty.http.port=" + port,
                        "STOP.PORT=" + stopPort, "STOP.KEY=" + KEY).toArray(String[]::new))
                .start()) {
            cluster.awaitListening("127.0.0.1:" + port, STARTUP);
            Map<Integer, Long> workers = Map.copyOf(cluster.awaitWorkers(2, STARTUP));
            // each worker's Jetty binds STOP.PORT privately and reports STOP.KEY: the parent listens there instead
            cluster.awaitLine("^\\[jcluster\\] Jetty's stop port 127\\.0\\.0\\.1:" + stopPort
                    + ": the parent listens there", STARTUP);
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains("listening on 127.0.0.1:" + stopPort)),
                    "the stop port is not balanced over the workers\n" + cluster.describe());
            assertEquals(Set.of(0, 1), servingWorkers(cluster, port, accessLog));

            try (ClusterProcess wrong = stop(jdk, jetty, stopPort, "not-" + KEY)) {
                // as Jetty: a wrong key is closed unanswered, and start.jar ends as after any end of the stream
                assertEquals(0, wrong.awaitExit(STARTUP), wrong.describe());
                assertTrue(wrong.output().stream().noneMatch(line -> line.contains("Stopped")), wrong.describe());
            }
            cluster.awaitLine("^\\[jcluster\\] a wrong stop key arrived on Jetty's stop port 127\\.0\\.0\\.1:"
                    + stopPort + " from .*; ignored", STARTUP);
            assertTrue(cluster.output().stream().noneMatch(line -> line.startsWith("[jcluster]")
                    && line.contains("not-" + KEY)), "the wrong key is never shown\n" + cluster.describe());
            assertEquals("OK\r\n", exchange(stopPort, KEY + "\r\nstatus\r\n"), "status, as Jetty answers it");
            assertEquals(Set.of(0, 1), servingWorkers(cluster, port, accessLog), "a wrong key stops nothing");
            assertEquals(workers, Map.copyOf(cluster.startedWorkers()), "no worker was restarted either\n"
                    + cluster.describe());

            try (ClusterProcess stop = stop(jdk, jetty, stopPort, KEY)) {
                assertEquals(0, stop.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(30)), "start.jar --stop\n" + stop.describe());
                assertTrue(stop.output().stream().anyMatch(line -> line.contains("Server reports itself as Stopped")),
                        stop.describe());
            }
            // "Stopped" came once the cluster had stopped: every worker is gone by then
            assertTrue(workers.values().stream().noneMatch(pid -> ProcessHandle.of(pid)
                    .map(ClusterProcess::isRunning).orElse(false)), "no worker runs after Stopped\n" + cluster.describe());
            cluster.awaitLine("^\\[jcluster\\] Jetty's stop command received on 127\\.0\\.0\\.1:" + stopPort
                    + "; stopping", STARTUP);
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(20)), cluster.describe());
            ClusterProcess.assertNoneRunning(cluster.rememberedProcesses(), cluster);
            // graceful: each worker exited on SIGTERM within the grace, none had to be killed
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains("of SIGTERM; killing it")),
                    cluster.describe());
            assertTrue(cluster.output().contains("[jcluster] stopped"), cluster.describe());
        }
    }

    /** {@code java -jar start.jar STOP.PORT=... STOP.KEY=key STOP.WAIT=... --stop}, as Jetty's users stop it. */
    private static ClusterProcess stop(Jdk jdk, JettyDistribution jetty, int stopPort, String key) throws IOException {
        return ClusterProcess.on(jdk).withoutAgent()
                .launch(jetty.startJar("STOP.PORT=" + stopPort, "STOP.KEY=" + key,
                        "STOP.WAIT=" + SHUTDOWN_TIMEOUT.plusSeconds(20).toSeconds(), "--stop").toArray(String[]::new))
                .start();
    }

    /** The workers the access log names for fresh requests to /hello/ (round-robin: both within a few). */
    private static Set<Integer> servingWorkers(ClusterProcess cluster, int port, Path accessLog) throws IOException {
        long before = Files.exists(accessLog) ? Files.readAllLines(accessLog).size() : 0;
        for (int request = 0; request < 10; request++) {
            Http.Response response = Http.fresh(port, "/hello/");
            assertEquals(200, response.status(), response + "\n" + cluster.describe());
            assertEquals("hello from jetty\n", response.body());
        }
        Set<Integer> workers = new TreeSet<>();
        // the access log's writer thread is a moment behind the responses
        cluster.await(() -> {
            workers.clear();
            List<String> lines;
            try {
                lines = Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
            } catch (IOException e) {
                return false;
            }
            for (String line : lines.subList((int) Math.min(before, lines.size()), lines.size())) {
                Matcher worker = WORKER.matcher(line);
                if (line.contains("GET /hello/ ") && worker.find()) {
                    workers.add(Integer.parseInt(worker.group(1)));
                }
            }
            return workers.size() == 2;
        }, "both workers in the access log", Duration.ofSeconds(10));
        return workers;
    }

    /** What the parent answers {@code request} on the stop port before it closes. */
    private static String exchange(int stopPort, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", stopPort)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
