package io.jcluster.spi;

import io.jcluster.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static io.jcluster.spi.ApiChecksTest.assertContains;
import static io.jcluster.spi.OffloadPoolTest.await;
import static io.jcluster.spi.OffloadPoolTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalClusterTest {

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final LocalCluster cluster = new LocalCluster(System::nanoTime, 256 * 1024, 64L * 1024 * 1024, 2,
            new PrintStream(logged, true, StandardCharsets.UTF_8));
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        cluster.stop();
        System.clearProperty(LocalCluster.WORKER_ID_PROPERTY);
        System.clearProperty(LocalCluster.MAX_MESSAGE_PROPERTY);
    }

    @Test
    void withoutTheAgentTheProcessIsWorkerZeroOfOneAndTheLeader() throws Exception {
        assertEquals(0, Cluster.workerId());
        assertEquals(1, Cluster.workers());
        assertFalse(Cluster.isWorker());
        assertTrue(Cluster.isLeader());
        assertSame(ClusterBackends.current(), ClusterBackends.current());

        Cluster.map("facade").put("k", "v");
        assertEquals("v", Cluster.map("facade").getString("k"));
        List<String> received = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = Cluster.subscribe("facade", m -> received.add(new String(m, StandardCharsets.UTF_8)))) {
            Cluster.publish("facade", "über");
            waitFor(() -> received.size() == 1);
        }
        assertEquals(List.of("über"), received);
        assertEquals(Runtime.getRuntime().availableProcessors(),
                ((LocalCluster) ClusterBackends.current()).offloadPool().threads());
        assertEquals("done", Cluster.offload().submit(() -> "done").get(10, TimeUnit.SECONDS));
    }

    @Test
    void inAWorkerWithoutTheAgentsBackendEveryCallIsRefused() {
        // what an app sees when a child-first class loader gave it its own io.jcluster.Cluster in a worker: the
        // agent's backend sits in the agent's copy, so this one must not quietly run as a single process
        System.setProperty(LocalCluster.WORKER_ID_PROPERTY, "2");
        List<Supplier<Object>> calls = List.of(Cluster::workerId, Cluster::workers, Cluster::isWorker,
                Cluster::isLeader, () -> Cluster.map("m"), Cluster::offload,
                () -> Cluster.subscribe("t", m -> { }), () -> Cluster.onLeadership(() -> { }, () -> { }),
                () -> {
                    Cluster.publish("t", "m");
                    return null;
                });
        for (Supplier<Object> call : calls) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, call::get);
            assertEquals("io.jcluster.Cluster was loaded by " + Cluster.class.getClassLoader() + " apart from the "
                    + "jcluster agent's copy, so it cannot reach the cluster: declare io.jcluster:jcluster-api with "
                    + "scope provided (compileOnly) so the server's copy is used", refused.getMessage());
        }
        System.clearProperty(LocalCluster.WORKER_ID_PROPERTY);
        assertEquals(0, Cluster.workerId());
    }

    @Test
    void gainedRunsAtOnceOnTheLeadershipThreadAndLostNever() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch gained = new CountDownLatch(1);
        CountDownLatch lost = new CountDownLatch(1);
        cluster.onLeadership(() -> {
            ranOn.set(Thread.currentThread());
            gained.countDown();
        }, lost::countDown);
        assertTrue(gained.await(10, TimeUnit.SECONDS));
        assertEquals("jcluster-leadership", ranOn.get().getName());
        assertNotEquals(Thread.currentThread(), ranOn.get());
        assertTrue(ranOn.get().isDaemon());
        CountDownLatch later = new CountDownLatch(1);
        cluster.onLeadership(later::countDown, () -> { });
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(1, lost.getCount(), "a single process stays the leader: lost never runs");
        assertTrue(cluster.isLeader());
    }

    @Test
    void aThrowingCallbackIsReportedAndTheNextOneStillRuns() throws Exception {
        cluster.onLeadership(() -> {
            throw new IllegalStateException("job failed to start");
        }, () -> { });
        CountDownLatch next = new CountDownLatch(1);
        cluster.onLeadership(next::countDown, () -> { });
        assertTrue(next.await(10, TimeUnit.SECONDS));
        assertContains(logged.toString(StandardCharsets.UTF_8),
                "[jcluster] leadership callback (gained) threw java.lang.IllegalStateException: job failed to start");
    }

    @Test
    void aHandleClosedBeforeItsCallbackRanStopsIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        cluster.onLeadership(() -> {
            entered.countDown();
            await(release);
        }, () -> { });
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CountDownLatch closedOne = new CountDownLatch(1);
        cluster.onLeadership(closedOne::countDown, () -> { }).close();
        CountDownLatch last = new CountDownLatch(1);
        cluster.onLeadership(last::countDown, () -> { });
        release.countDown();
        assertTrue(last.await(10, TimeUnit.SECONDS));
        assertEquals(1, closedOne.getCount());
        assertThrows(NullPointerException.class, () -> cluster.onLeadership(null, () -> { }));
        assertThrows(NullPointerException.class, () -> cluster.onLeadership(() -> { }, null));
    }

    @Test
    void publishIsDeliveredToTheSendersOwnSubscribers() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = cluster.subscribe("news", m -> received.add(new String(m, StandardCharsets.UTF_8)));
        cluster.publish("news", "one".getBytes(StandardCharsets.UTF_8));
        waitFor(() -> received.size() == 1);
        subscription.close();
        cluster.publish("news", "two".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("one"), received);
    }

    @Test
    void offloadIsTheBoundedProcessPool() {
        assertEquals(2, cluster.offloadPool().threads());
        assertSame(cluster.offload(), cluster.offload());
        assertThrows(UnsupportedOperationException.class, () -> cluster.offload().shutdown());
    }

    @Test
    void theLimitsOfTheSystemPropertiesApply() {
        System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, "1k");
        System.setProperty(LocalCluster.STORE_SIZE_PROPERTY, "2k");
        LocalCluster limited = LocalCluster.fromProperties();
        try {
            assertContains(assertThrows(IllegalArgumentException.class,
                    () -> limited.publish("t", new byte[1025])).getMessage(), "over max-message=1k");
            limited.map("m").put("k", new byte[1024]);
            limited.map("m").put("l", new byte[1024]);
            assertEquals(1, limited.maps().evictions(), "2k holds one entry of 1k plus its key, not two");
        } finally {
            limited.stop();
            System.clearProperty(LocalCluster.STORE_SIZE_PROPERTY);
        }
        System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, "lots");
        assertContains(assertThrows(IllegalArgumentException.class, LocalCluster::fromProperties).getMessage(),
                "system property jcluster.max-message=lots");
    }

    @Test
    void limitsMayComeFromSystemPropertiesNamedLikeTheOptions() {
        assertEquals(ApiChecks.DEFAULT_MAX_MESSAGE, LocalCluster.size(LocalCluster.MAX_MESSAGE_PROPERTY,
                ApiChecks.DEFAULT_MAX_MESSAGE, ApiChecks.MAX_MAX_MESSAGE));
        System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, "1m");
        assertEquals(1024 * 1024, LocalCluster.size(LocalCluster.MAX_MESSAGE_PROPERTY, 0, ApiChecks.MAX_MAX_MESSAGE));
        System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, "64K");
        assertEquals(64 * 1024, LocalCluster.size(LocalCluster.MAX_MESSAGE_PROPERTY, 0, ApiChecks.MAX_MAX_MESSAGE));
        System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, "1000");
        assertEquals(1000, LocalCluster.size(LocalCluster.MAX_MESSAGE_PROPERTY, 0, ApiChecks.MAX_MAX_MESSAGE));
        for (String bad : new String[] {"9m", "0", "-1k", "lots", "k", ""}) {
            System.setProperty(LocalCluster.MAX_MESSAGE_PROPERTY, bad);
            assertContains(assertThrows(IllegalArgumentException.class, () -> LocalCluster.size(
                    LocalCluster.MAX_MESSAGE_PROPERTY, 0, ApiChecks.MAX_MAX_MESSAGE)).getMessage(),
                    "system property jcluster.max-message=" + bad + ": expected a size such as 256k or 16m, at most 8m");
        }
    }
}
