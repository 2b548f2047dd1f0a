package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero-downtime operations under load: 50 keep-alive connections sending requests back to back (like wrk -c 50)
 * while every worker is replaced (rolling reload), and while the cluster scales 4 -> 2 -> 4. Not one request may
 * fail or answer non-2xx. The counts are printed.
 */
@Timeout(300)
class RollingReloadIT {

    private static final int CONNECTIONS = 50;
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(150);

    /**
     * tcp mode, and http mode (where each request picks a worker in rotation, so a draining one gets none). On
     * {@link Jdk#both()}: the drain is the parent's (its transport matters) and the workers' JDK may; the third JDK
     * variant only repeats epoll.
     */
    static Stream<Arguments> modes() {
        return Jdk.both().flatMap(jdk -> Stream.of("tcp", "http").map(mode -> Arguments.of(jdk, mode)));
    }

    /**
     * A rolling reload of the four workers, then scale 4 -> 2 -> 4, each under its own load, on one cluster: the
     * reload leaves four ready workers, as a start-up does, so the scaling finds what it would find on a fresh
     * cluster; the cluster starts once instead of twice.
     */
    @ParameterizedTest(name = "{0} mode={1}")
    @MethodSource("modes")
    void rollingReloadThenScaleFourToTwoToFourUnderLoadFailNoRequest(Jdk jdk, String mode) throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ops(jdk, port, adminPort, "processes=4,mode=" + mode)) {
            Map<Integer, Long> before = cluster.awaitWorkers(4, STARTUP);
            assertEquals(4, cluster.awaitAnswering(port, 4, STARTUP).size());
            Admin admin = new Admin(adminPort, null);
            assertEquals(List.of("ready", "ready", "ready", "ready"), admin.states());
            Map<Integer, Long> reloaded = rollingReloadOfFourWorkersUnderLoadFailsNoRequest(jdk, mode, cluster, port,
                    admin, before);
            scaleFourToTwoToFourUnderLoadFailsNoRequest(jdk, mode, cluster, port, admin, reloaded);
        }
    }

    /** Returns the new workers. */
    private static Map<Integer, Long> rollingReloadOfFourWorkersUnderLoadFailsNoRequest(
            Jdk jdk, String mode, ClusterProcess cluster, int port, Admin admin, Map<Integer, Long> before)
            throws Exception {
        KeepAliveLoad.Result result;
        Admin.Reply reload;
        try (KeepAliveLoad load = KeepAliveLoad.start(port, CONNECTIONS, "/", LOAD_LIMIT)) {
            awaitRequests(load, 2_000, cluster);
            reload = admin.post("/reload");
            // the load goes on until every new worker has answered some of it, then 1000 requests more
            load.awaitServedBy(cluster.startedWorkers().values(), Duration.ofSeconds(5));
            awaitRequests(load, load.requestsSoFar() + 1_000, cluster);
            result = load.stop();
        }
        System.out.println("[it] " + jdk + " mode=" + mode + ": rolling reload of 4 workers under " + CONNECTIONS
                + " keep-alive connections: " + result);
        assertEquals(200, reload.status(), reload.body() + "\n" + cluster.describe());
        assertTrue(reload.body().startsWith("reloaded 4 worker(s)"), reload.body());
        assertEquals(0, result.errors(), "failed requests during the reload: " + result + "\n" + cluster.describe());
        assertEquals(0, result.non2xx(), "non-2xx responses during the reload: " + result);

        Map<Integer, Long> after = cluster.startedWorkers();
        for (int id = 0; id < 4; id++) {
            assertTrue(!before.get(id).equals(after.get(id)),
                    "worker " + id + " was replaced: " + before + " -> " + after);
            long old = before.get(id);
            ProcessHandle.of(old).ifPresent(handle -> assertTrue(!ClusterProcess.isRunning(handle),
                    "old worker pid " + old + " was stopped"));
        }
        assertEquals(List.of("ready", "ready", "ready", "ready"), admin.states());
        assertEquals(Set.copyOf(after.values()), cluster.awaitAnswering(port, 4, STARTUP), "the new workers serve");
        assertTrue(result.pids().containsAll(after.values()) || result.pids().size() >= 4,
                "the load reached the new workers: " + result.pids() + " vs " + after);
        return after;
    }

    private static void scaleFourToTwoToFourUnderLoadFailsNoRequest(Jdk jdk, String mode, ClusterProcess cluster,
            int port, Admin admin, Map<Integer, Long> before) throws Exception {
        KeepAliveLoad.Result result;
        Admin.Reply down;
        Admin.Reply up;
        List<String> between;
        try (KeepAliveLoad load = KeepAliveLoad.start(port, CONNECTIONS, "/", LOAD_LIMIT)) {
            awaitRequests(load, 2_000, cluster);
            down = admin.post("/scale?processes=2");
            between = admin.states();
            awaitRequests(load, load.requestsSoFar() + 500, cluster); // served by the two left
            up = admin.post("/scale?processes=4");
            awaitRequests(load, load.requestsSoFar() + 1_000, cluster);
            result = load.stop();
        }
        System.out.println("[it] " + jdk + " mode=" + mode + ": scale 4 -> 2 -> 4 under " + CONNECTIONS
                + " keep-alive connections: " + result);
        assertEquals(200, down.status(), down.body() + "\n" + cluster.describe());
        assertEquals(200, up.status(), up.body() + "\n" + cluster.describe());
        assertEquals(List.of("ready", "ready"), between, "after scaling down\n" + cluster.describe());
        assertEquals(0, result.errors(), "failed requests while scaling: " + result + "\n" + cluster.describe());
        assertEquals(0, result.non2xx(), "non-2xx responses while scaling: " + result);

        Map<Integer, Long> after = cluster.startedWorkers();
        assertEquals(before.get(0), after.get(0), "scaling left worker 0 alone");
        assertEquals(before.get(1), after.get(1), "scaling left worker 1 alone");
        for (int id = 2; id < 4; id++) {
            assertTrue(!before.get(id).equals(after.get(id)), "worker " + id + " was drained and started anew");
        }
        cluster.awaitLine("^\\[jcluster\\] worker 3 \\(pid " + before.get(3) + "\\) drained in \\d+ms; stopping it",
                Duration.ofSeconds(5));
        assertEquals(List.of("ready", "ready", "ready", "ready"), admin.states());
        assertEquals(Set.copyOf(after.values()), cluster.awaitAnswering(port, 4, STARTUP));
    }

    /**
     * A keep-alive connection that sits idle while its worker is replaced: the balancer lets the old worker go
     * without closing the client's connection (the drain does not wait for shutdown-timeout), and the client's next
     * request on the same connection is answered by the new worker. On {@link Jdk#both()}: the hand-over is the
     * balancer's, on each transport; the third JDK variant only repeats epoll.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void anIdleKeepAliveConnectionMovesToTheNewWorker(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ops(jdk, port, adminPort, "processes=1,shutdown-timeout=60s")) {
            long old = cluster.awaitWorkers(1, STARTUP).get(0);
            assertEquals(Set.of(old), cluster.awaitAnswering(port, 1, STARTUP));
            try (Http.KeepAlive idle = Http.keepAlive(port)) {
                assertEquals(old, idle.get("/").pid());
                long started = System.nanoTime();
                Admin.Reply reload = new Admin(adminPort, null).post("/reload");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(200, reload.status(), reload.body() + "\n" + cluster.describe());
                assertTrue(reload.body().contains("old one drained in"), reload.body());
                assertTrue(millis < 30_000, "the reload waited " + millis + " ms: the idle connection held the drain");
                long fresh = cluster.workerPid(0);
                assertTrue(fresh != old);
                Http.Response next = idle.get("/");
                assertEquals(200, next.status());
                assertEquals(fresh, next.pid(), "the same client connection now reaches the new worker");
            }
        }
    }

    /**
     * SIGHUP to the parent reloads, as POST /reload does. One JDK: the parent's signal handler (sun.misc.Signal) is
     * the same on every JDK, and the reload itself runs on {@link Jdk#both()} above.
     */
    @Test
    void sighupReloads() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2")
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start()) {
            Map<Integer, Long> before = cluster.awaitWorkers(2, STARTUP);
            assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
            Signals.send("HUP", cluster.pid());
            cluster.awaitLine("^\\[jcluster\\] reload done: reloaded 2 worker\\(s\\)", Duration.ofSeconds(60));
            Set<Long> answered = cluster.awaitAnswering(port, 2, STARTUP);
            Set<Long> old = new HashSet<>(before.values());
            assertTrue(answered.stream().noneMatch(old::contains), "new workers answer: " + answered + " vs " + old);
            assertTrue(cluster.process().isAlive(), "SIGHUP did not stop the parent");
        }
    }

    static ClusterProcess ops(Jdk jdk, int port, int adminPort, String agentArgs) throws java.io.IOException {
        return ClusterProcess.on(jdk).agentArgs(agentArgs + ",admin=127.0.0.1:" + adminPort + ",health=/health")
                .mainClass("samples.ops.OpsServer").args(Integer.toString(port)).start();
    }

    static void awaitRequests(KeepAliveLoad load, long count, ClusterProcess cluster) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (load.requestsSoFar() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the load got only " + load.requestsSoFar() + " requests through in 30s\n"
                        + cluster.describe());
            }
            ClusterProcess.sleep(50);
        }
    }
}
