package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM to the parent drains: an in-flight request completes, the parent exits 0, no worker is left. */
@Timeout(120)
class GracefulShutdownIT {

    /** One JDK: the stop sequence is the parent's, the same on every JDK (the workers' side is below, on both). */
    @Test
    void termLetsInFlightRequestFinishAndExitsZero() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            stopWithRequestInFlight(cluster, port, "SIGTERM to the parent", () -> Signals.term(cluster.pid()));
        }
    }

    /**
     * http mode: the in-flight request on a keep-alive connection is answered with Connection: close, and an
     * idle keep-alive connection is closed at once rather than held until shutdown-timeout. One JDK: the parent's
     * stop sequence; Temurin 25 as users run it, so the NIO transport closes the connections here (epoll above).
     */
    @Test
    void httpModeFinishesInFlightRequestsAndClosesIdleKeepAlives() throws Exception {
        Jdk jdk = Jdk.temurin25();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,mode=http")) {
            cluster.awaitAnswering(port, 2, STARTUP);
            Http.KeepAlive idle = Http.keepAlive(port);
            assertEquals(200, idle.get("/").status());
            long start = System.nanoTime();
            stopWithRequestInFlight(cluster, port, "SIGTERM to the parent (http mode)", () -> Signals.term(cluster.pid()));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 15, "the idle keep-alive connection did not hold the stop for shutdown-timeout: "
                    + seconds + " s");
            idle.close();
        }
    }

    /**
     * Ctrl-C in a terminal: SIGINT to the parent and, in the same process group, to every worker. On
     * {@link Jdk#both()}: each worker ignores SIGINT through its JDK's signal API; the third variant differs only
     * in the parent's transport.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void ctrlCToTheWholeProcessGroupIsAsGracefulAsTerm(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).inNewSession().agentArgs("processes=2,strategy=round-robin")
                .mainClass("samples.hello.HelloServer").args(Integer.toString(port)).start()) {
            stopWithRequestInFlight(cluster, port, "SIGINT to the process group",
                    () -> Signals.group("INT", cluster.pid()));
        }
    }

    private static void stopWithRequestInFlight(ClusterProcess cluster, int port, String how, Runnable stop)
            throws Exception {
        cluster.awaitWorkers(2, STARTUP);
        assertEquals(2, cluster.awaitAnswering(port, 2, STARTUP).size());
        List<ProcessHandle> workers = cluster.rememberedProcesses();

        CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.fresh(port, "/slow?ms=2000", Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ClusterProcess.sleep(300);
        assertTrue(!slow.isDone(), "the slow request is still in flight when the stop begins: " + slow);
        stop.run();

        Http.Response response;
        try {
            response = slow.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the in-flight request failed after " + how + ": " + e + "\n" + cluster.describe(), e);
        }
        assertEquals(200, response.status(), response.toString());
        assertTrue(response.body().startsWith("slow done by pid "), response.body());

        int status = cluster.awaitExit(Duration.ofSeconds(40));
        assertEquals(0, status, "parent exit status after " + how + "\n" + cluster.describe());
        long exitedAt = System.nanoTime();
        List<ProcessHandle> alive = workers;
        while (!alive.isEmpty() && System.nanoTime() - exitedAt < 2_000_000_000L) {
            alive = alive.stream().filter(ClusterProcess::isRunning).toList();
            ClusterProcess.sleep(50);
        }
        assertTrue(alive.isEmpty(), "workers alive 2 s after the parent exited: "
                + alive.stream().map(ProcessHandle::pid).toList() + "\n" + cluster.describe());
    }
}
