package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploying is: replace the app jar on disk, reload. A broken jar must not take the cluster down: its first
 * replacement fails, the reload stops and says why, and the old workers keep serving. A fixed jar then reloads.
 */
@Timeout(240)
class BrokenDeployIT {

    /** One JDK: the reload, its abort and what it reports are the parent's, the same on every JDK. */
    @Test
    void aBrokenJarAbortsTheReloadAndTheOldWorkersKeepServing() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        Path dir = Files.createTempDirectory("jcluster-deploy");
        Path app = dir.resolve("app.jar");
        Path good = ClusterProcess.Builder.existing("jcluster.samples.jar", "target/samples.jar");
        Files.copy(good, app);
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,admin=127.0.0.1:" + adminPort + ",restart-delay=200ms")
                .launch("-cp", app.toString(), "samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            Set<Long> serving = cluster.awaitAnswering(port, 2, STARTUP);
            Admin admin = new Admin(adminPort, null);

            deploy(dir, app, "this is not a jar".getBytes());
            Admin.CliRun reload = Admin.cli(jdk, "reload", "--admin", "127.0.0.1:" + adminPort);
            assertEquals(1, reload.exitStatus(), reload + "\n" + cluster.describe());
            assertTrue(reload.stderr().startsWith("jcluster: reload failed (HTTP 500): reload stopped at worker 0:"
                    + " worker 0's replacement (pid "), reload.stderr());
            assertTrue(reload.stderr().contains("before it was ready (see its output above); worker 0 (pid "
                    + workers.get(0) + ") keeps serving"), reload.stderr());
            cluster.awaitLine("^\\[jcluster\\] reload FAILED: reload stopped at worker 0", java.time.Duration.ofSeconds(5));

            for (int i = 0; i < 30; i++) {
                Http.Response response = Http.fresh(port, "/");
                assertEquals(200, response.status());
                assertTrue(serving.contains(response.pid()), "answered by an old worker: " + response.pid());
            }
            assertEquals(List.of("ready", "ready"), admin.states());
            String status = admin.get("/status").body();
            for (long pid : workers.values()) {
                assertTrue(status.contains("\"pid\":" + pid + ",\"state\":\"ready\""), "old pid " + pid + " serves: " + status);
            }

            deploy(dir, app, Files.readAllBytes(good));
            Admin.Reply fixed = admin.post("/reload");
            assertEquals(200, fixed.status(), fixed.body() + "\n" + cluster.describe());
            Set<Long> answered = cluster.awaitAnswering(port, 2, STARTUP);
            assertTrue(answered.stream().noneMatch(serving::contains), "the fixed build serves: " + answered);
        } finally {
            Files.deleteIfExists(app);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A replacement that never binds is given up after ready-timeout; the old worker keeps serving. One JDK, as
     * above (Temurin 25 here, JDK 17 above).
     */
    @Test
    void aReplacementThatNeverGetsReadyIsStoppedAfterReadyTimeout() throws Exception {
        Jdk jdk = Jdk.temurin25();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        Path dir = Files.createTempDirectory("jcluster-stall");
        Path stall = dir.resolve("stall");
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=1,ready-timeout=3s,admin=127.0.0.1:" + adminPort)
                .jvmFlags("-Dops.stallIfExists=" + stall)
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            long worker = cluster.awaitWorkers(1, STARTUP).get(0);
            assertEquals(Set.of(worker), cluster.awaitAnswering(port, 1, STARTUP));
            Files.writeString(stall, "stall");
            Admin.Reply reload = new Admin(adminPort, null).post("/reload");
            assertEquals(500, reload.status(), reload.body());
            assertTrue(reload.body().contains("was not ready within ready-timeout 3s (it has not bound 0.0.0.0:" + port
                    + ")"), reload.body());
            assertTrue(reload.body().contains("worker 0 (pid " + worker + ") keeps serving"), reload.body());
            for (int i = 0; i < 10; i++) {
                assertEquals(worker, Http.fresh(port, "/").pid());
            }
            long stalled = cluster.startedWorkers().get(0);
            ProcessHandle.of(stalled).ifPresent(handle -> cluster.await(() -> !ClusterProcess.isRunning(handle),
                    "the stalled replacement to be stopped", java.time.Duration.ofSeconds(10)));
        } finally {
            Files.deleteIfExists(stall);
            Files.deleteIfExists(dir);
        }
    }

    /** As a deploy does: write beside, then rename over (the running JVMs keep the old file open). */
    private static void deploy(Path dir, Path app, byte[] content) throws IOException {
        Path next = dir.resolve("app.jar.next");
        Files.write(next, content);
        Files.move(next, app, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
