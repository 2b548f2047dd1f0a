package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recycling (max-requests with jitter, max-age) under load with not one failed request, and SIGHUP applying an edited
 * config file (strategy, processes and a connection limit, seen over real sockets) while refusing a port change. One JDK: the supervisor's logic is the same on
 * every JDK, and the unit tests (RecyclingTest, OptionRereadTest) cover the rules in detail.
 */
@Timeout(180)
class RecyclingIT {

    private static final Jdk JDK = Jdk.temurin25();

    /**
     * Acceptance 3: max-requests=100,max-requests-jitter=20 in http mode recycles every worker; 0 failed requests.
     * /metrics counts the recycles by reason.
     */
    @Test
    void maxRequestsRecyclesEveryWorkerUnderLoadWithoutAFailedRequest() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(JDK)
                .agentArgs("processes=2,mode=http,max-requests=100,max-requests-jitter=20,health=/health,"
                        + "admin=127.0.0.1:" + adminPort)
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            KeepAliveLoad.Result result;
            try (KeepAliveLoad load = KeepAliveLoad.start(port, 20, "/", Duration.ofSeconds(120))) {
                awaitRecycled(cluster, 0, "max-requests: served \\d+, its limit (\\d+)");
                awaitRecycled(cluster, 1, "max-requests: served \\d+, its limit (\\d+)");
                ClusterProcess.sleep(500);
                result = load.stop();
            }
            System.out.println("[it] " + JDK + ": max-requests=100,max-requests-jitter=20 under 20 keep-alive"
                    + " connections: " + result);
            assertEquals(0, result.errors(), "failed requests while recycling: " + result + "\n" + cluster.describe());
            assertEquals(0, result.non2xx(), result.toString());
            for (String line : cluster.output().stream().filter(l -> l.contains("its limit")).toList()) {
                Matcher limit = Pattern.compile("its limit (\\d+)").matcher(line);
                assertTrue(limit.find(), line);
                long value = Long.parseLong(limit.group(1));
                assertTrue(value >= 100 && value <= 120, "a limit within max-requests + jitter: " + line);
            }
            String metrics = new Admin(adminPort, null).get("/metrics").body();
            for (int id = 0; id < 2; id++) {
                assertTrue(recycles(metrics, id, "max-requests") >= 1, metrics);
                assertEquals(0, recycles(metrics, id, "max-age"), metrics);
            }
        }
    }

    /**
     * Acceptance 3, by time: max-age=10s recycles every worker while requests keep succeeding; /metrics counts the
     * recycles by reason. Riding on this test's seconds (no test of its own): the lines a worker writes while it stops
     * (its shutdown hook, here and at the parent's SIGTERM) reach the parent's output, and the parent warns once that
     * the workers all append to one file (the app opens the same file in every worker; the first check runs 10 s
     * after the start).
     */
    @Test
    void maxAgeRecyclesEveryWorkerWithoutAFailedRequest() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        Path dir = Files.createTempDirectory("jcluster-recycling-").toRealPath();
        Path shared = dir.resolve("app.log");
        try (ClusterProcess cluster = ClusterProcess.on(JDK)
                .agentArgs("processes=2,mode=http,max-age=10s,health=/health,admin=127.0.0.1:" + adminPort)
                .jvmFlags("-Dops.appendTo=" + shared)
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            KeepAliveLoad.Result result;
            List<Long> retired = new java.util.ArrayList<>();
            try (KeepAliveLoad load = KeepAliveLoad.start(port, 4, "/", Duration.ofSeconds(120))) {
                retired.add(awaitRecycled(cluster, 0, "max-age 10s"));
                retired.add(awaitRecycled(cluster, 1, "max-age 10s"));
                ClusterProcess.sleep(500);
                result = load.stop();
            }
            System.out.println("[it] " + JDK + ": max-age=10s under 4 keep-alive connections: " + result);
            assertEquals(0, result.errors(), "failed requests while recycling: " + result + "\n" + cluster.describe());
            assertEquals(0, result.non2xx(), result.toString());
            String metrics = new Admin(adminPort, null).get("/metrics").body();
            for (int id = 0; id < 2; id++) {
                assertTrue(recycles(metrics, id, "max-age") >= 1, metrics);
                assertEquals(0, recycles(metrics, id, "max-requests"), metrics);
                awaitShutdownHookLine(cluster, id, retired.get(id));
            }
            String warning = cluster.awaitLine(line -> line.contains(" all append to " + shared + ": "),
                    "warning that the workers share " + shared, Duration.ofSeconds(40));
            assertTrue(warning.startsWith("[jcluster] workers 0, 1 all append to "), warning);
            assertEquals(1, cluster.output().stream().filter(line -> line.contains(" all append to ")).count(),
                    "said once");

            // the processes in rotation now (a recycle may have begun a replacement that has no hook yet)
            Map<Integer, Long> serving = new java.util.TreeMap<>();
            Matcher ready = Pattern.compile("\\{\"id\":(\\d+),\"pid\":(\\d+),\"state\":\"ready\"")
                    .matcher(new Admin(adminPort, null).get("/status").body());
            while (ready.find()) {
                serving.put(Integer.parseInt(ready.group(1)), Long.parseLong(ready.group(2)));
            }
            assertEquals(2, serving.size(), serving.toString());
            Signals.send("TERM", cluster.pid());
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)), cluster.describe());
            serving.forEach((id, pid) -> awaitShutdownHookLine(cluster, id, pid));
        } finally {
            Files.deleteIfExists(shared);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Acceptance 5: SIGHUP after editing the config file changes strategy, processes and the connection limit at
     * run time (status shows them; the parent's line names old and new values; a second connection is turned away
     * over a real socket while the first is served on), and a port change is refused with one line, the running
     * configuration kept. Then SIGTTIN and SIGTTOU scale by one.
     */
    @Test
    void sighupAppliesTheEditedConfigFileAndRefusesAPortChange() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        Path config = Files.createTempFile("jcluster-recycling-", ".properties");
        try {
            Files.writeString(config, "processes=1\nstrategy=round-robin\n");
            try (ClusterProcess cluster = ClusterProcess.on(JDK)
                    .agentArgs("config=" + config + ",admin=127.0.0.1:" + adminPort)
                    .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
                cluster.awaitWorkers(1, STARTUP);
                assertEquals(1, cluster.awaitAnswering(port, 1, STARTUP).size());
                Admin admin = new Admin(adminPort, null);
                admin.awaitAllReady(1, STARTUP);
                assertTrue(admin.get("/status").body().contains("\"strategy\":\"round-robin\""));

                assertTrue(admin.get("/status").body().contains("\"max-connections\":\"0\""));
                try (Http.KeepAlive first = Http.keepAlive(port); Http.KeepAlive second = Http.keepAlive(port)) {
                    assertEquals(200, first.get("/").status());
                    assertEquals(200, second.get("/").status(), "no connection limit at launch");
                }

                Files.writeString(config, "processes=2\nstrategy=random\nmax-connections=1\nmax-queue=0\n");
                Signals.send("HUP", cluster.pid());
                cluster.awaitLine("^\\[jcluster\\] SIGHUP received: options read again, applying processes 1 -> 2,"
                        + " strategy round-robin -> random, max-connections 0 -> 1, max-queue 1000 -> 0; then a rolling"
                        + " reload", Duration.ofSeconds(10));
                cluster.awaitLine("^\\[jcluster\\] reload done: reloaded 2 worker\\(s\\)", Duration.ofSeconds(90));
                admin.awaitAllReady(2, STARTUP);
                String status = admin.get("/status").body();
                assertTrue(status.contains("\"strategy\":\"random\""), status);
                assertTrue(status.contains("\"max-connections\":\"1\",\"max-queue\":\"0\""), status);
                assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
                // the new limit over real sockets: one connection served, the next turned away at once (no queue)
                try (Http.KeepAlive held = servedConnection(port)) {
                    assertTrue(turnedAway(port), "max-connections=1, max-queue=0: a second connection is closed");
                    assertEquals(200, held.get("/").status(), "the served one goes on");
                }
                assertEquals(1, cluster.awaitAnswering(port, 1, Duration.ofSeconds(10)).size(), "its slot is free again");

                Files.writeString(config, "processes=2\nstrategy=random\nmax-connections=1\nmax-queue=0\nport="
                        + FreePorts.tcp() + "\n");
                Signals.send("HUP", cluster.pid());
                String refused = cluster.awaitLine(line -> line.contains("SIGHUP received: options refused"),
                        "the refusal", Duration.ofSeconds(10));
                assertEquals("[jcluster] SIGHUP received: options refused: port changed: it applies at launch only"
                        + " (restart the cluster to change it); the running configuration is kept; nothing was"
                        + " reloaded", refused);
                ClusterProcess.sleep(1000);
                assertEquals(List.of("ready", "ready"), admin.states(), "nothing changed");
                assertTrue(admin.get("/status").body().contains("\"strategy\":\"random\""));
                assertTrue(cluster.process().isAlive());

                // Gunicorn's habit: SIGTTIN one worker more, SIGTTOU one fewer
                Signals.send("TTIN", cluster.pid());
                cluster.awaitLine("^\\[jcluster\\] scale done: scaled up from 2 to 3 worker\\(s\\)", Duration.ofSeconds(60));
                admin.awaitAllReady(3, STARTUP);
                Signals.send("TTOU", cluster.pid());
                cluster.awaitLine("^\\[jcluster\\] scale done: scaled down from 3 to 2 worker\\(s\\)", Duration.ofSeconds(60));
                admin.awaitAllReady(2, STARTUP);
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }

    /**
     * Acceptance 6, second half: a worker whose app exits at start is given up after a bounded time with a clear line,
     * and with every slot given up the parent exits with status 1. (At the defaults this takes about three minutes:
     * RestartPolicyTest and SupervisorTest show that on a fake clock; here the back-off is short.)
     */
    @Test
    void aWorkerWhoseAppExitsAtStartIsGivenUpAndTheParentExitsWithStatus1() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(JDK)
                .agentArgs("processes=1,restart-delay=100ms,max-restarts=2")
                .jvmFlags("-Dops.fail=true")
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            cluster.awaitLine("^\\[jcluster\\] worker 0 \\(pid \\d+\\) exited with status 3; given up: a crash loop"
                    + " \\(restarted 2 time\\(s\\) in a row, none ran 30s; see its output above", Duration.ofSeconds(60));
            assertTrue(cluster.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
                    "the parent exits once every worker is given up\n" + cluster.describe());
            assertEquals(1, cluster.process().exitValue(), cluster.describe());
            assertTrue(cluster.output().stream().anyMatch(line -> line.contains("every worker was given up")),
                    cluster.describe());
        }
    }

    /**
     * A keep-alive connection that got its answer. The parent frees the slot of the connection before it only once it
     * has seen that one close, so a connection made at once may be turned away: tried again, for up to 10 s.
     */
    private static Http.KeepAlive servedConnection(int port) throws java.io.IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Http.KeepAlive connection = Http.keepAlive(port);
            String failure;
            try {
                int status = connection.get("/").status();
                if (status == 200) {
                    return connection;
                }
                failure = "status " + status;
            } catch (java.io.IOException turnedAway) {
                failure = turnedAway.toString();
            }
            connection.close();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no connection to port " + port + " was served within 10s: " + failure);
            }
            ClusterProcess.sleep(100);
        }
    }

    /** Whether a new connection to {@code port} is closed by the parent without an answer to its request. */
    private static boolean turnedAway(int port) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketException reset) {
            return true; // closed before or while the request was written
        }
    }

    /** Waits for worker {@code id}'s first recycle; returns the pid it replaced. */
    private static long awaitRecycled(ClusterProcess cluster, int id, String why) {
        Matcher done = cluster.awaitLine("^\\[jcluster\\] recycle done: worker " + id + " pid (\\d+) -> \\d+ \\(" + why
                + ".*\\); worker " + id + " recycled 1 time\\(s\\) for " + why.replaceAll("[: ].*", "") + "$",
                Duration.ofSeconds(60));
        return Long.parseLong(done.group(1));
    }

    /** The line worker {@code id}'s process {@code pid} printed in its shutdown hook, relayed by the parent. */
    private static void awaitShutdownHookLine(ClusterProcess cluster, int id, long pid) {
        String line = "[w" + id + "] ops worker " + id + " pid " + pid + ": shutdown hook ran";
        cluster.awaitLine(line::equals, "'" + line + "'", Duration.ofSeconds(10));
    }

    /** jcluster_worker_recycles_total of worker {@code id} for {@code reason}. */
    private static long recycles(String metrics, int id, String reason) {
        Matcher sample = Pattern.compile("^jcluster_worker_recycles_total\\{worker=\"" + id + "\",reason=\"" + reason
                + "\"} (\\d+)$", Pattern.MULTILINE).matcher(metrics);
        assertTrue(sample.find(), metrics);
        return Long.parseLong(sample.group(1));
    }
}
