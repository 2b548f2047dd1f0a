package io.jcluster.agent.supervisor;

import io.jcluster.agent.cluster.ClusterHub;
import io.jcluster.agent.cluster.LeadershipRouting;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.Stores;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.SilentSession;
import io.jcluster.agent.control.ControlServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervisor with {@link LeadershipRouting} around its routing and a real {@link ClusterHub} on real control
 * connections: a leader that is replaced is told to give leadership up, and gets SIGTERM only after it answered.
 */
class LeadershipDuringDrainTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<Long, ControlConnection> parentEnds = new ConcurrentHashMap<>();
    private Store store;
    private ClusterHub hub;
    private ControlServer server;

    @AfterEach
    void close() {
        parentEnds.values().forEach(ControlConnection::close);
        if (server != null) {
            server.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aReplacedLeaderGetsSigtermOnlyAfterItGaveLeadershipUp() throws Exception {
        store = Stores.open(new StoreOptions(StoreLocation.EMBEDDED, 1 << 20, Duration.ofSeconds(5), 1024, null));
        hub = new ClusterHub(store, 1024);
        server = ControlServer.open();
        server.serve(this::accept, hub);
        SupervisorHarness h = new SupervisorHarness(2, 3, routing -> new LeadershipRouting(routing, hub));
        h.supervisor.startAll();
        for (FakeProcess process : h.launcher.launched) {
            worker(h, process);
            h.connect(process);
        }
        h.clock.runDue();
        awaitEvent(event -> event.startsWith("granted 1 to "));
        long leaderPid = Long.parseLong(events.get(0).substring("granted 1 to ".length()));
        FakeProcess leader = h.launcher.launched.get(0).pid() == leaderPid ? h.launcher.launched.get(0)
                : h.launcher.launched.get(1);
        FakeProcess other = leader == h.launcher.launched.get(0) ? h.launcher.launched.get(1)
                : h.launcher.launched.get(0);
        assertEquals(leaderPid, leader.pid());

        int leaderId = h.launcher.ids.get(h.launcher.launched.indexOf(leader));
        CompletableFuture<Outcome> restart = h.supervisor.restart(leaderId);
        h.clock.runDue();
        FakeProcess fresh = h.launcher.last();
        worker(h, fresh);
        h.readyLast();
        // the old leader is withdrawn, drained, and stopped: it answers the revocation 300 ms later, on its own thread
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(Outcome.Kind.DONE, restart.get(10, TimeUnit.SECONDS).kind());
        assertEquals(1, leader.sigterms);
        int revoked = events.indexOf("revoked 1 from " + leader.pid());
        int released = events.indexOf("released 1 by " + leader.pid());
        int sigterm = events.indexOf("sigterm " + leader.pid());
        assertTrue(revoked >= 0 && revoked < released && released < sigterm, events.toString());
        // the oldest ready worker now: the other one, admitted before the replacement
        awaitEvent(event -> event.equals("granted 2 to " + other.pid()));
    }

    /** A worker's end: records what it is told, answers a revocation after 300 ms, and notes its SIGTERM. */
    private void worker(SupervisorHarness h, FakeProcess process) throws IOException {
        int id = h.launcher.ids.get(h.launcher.launched.indexOf(process));
        ControlClient client = ControlClient.connect(server.socketPath(), id, process.pid(), server.secret());
        client.listen(message -> {
            if (((ControlMessage.Cluster) message).frame() instanceof ClusterFrame.Leadership leadership) {
                if (leadership.granted()) {
                    events.add("granted " + leadership.epoch() + " to " + process.pid());
                    return;
                }
                events.add("revoked " + leadership.epoch() + " from " + process.pid());
                try {
                    Thread.sleep(300); // its lost callbacks
                    events.add("released " + leadership.epoch() + " by " + process.pid());
                    client.send(new ControlMessage.Cluster(new ClusterFrame.LeadershipReleased(leadership.epoch())));
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }, () -> { });
        process.onExit().thenRun(() -> events.add("sigterm " + process.pid()));
    }

    private void awaitEvent(Predicate<String> event) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().noneMatch(event)) {
            assertTrue(System.nanoTime() < deadline, "not within 10s: " + events);
            Thread.sleep(10);
        }
    }

    private ControlListener.Session accept(int workerId, long pid, ControlConnection toWorker) {
        parentEnds.put(pid, toWorker);
        return new SilentSession();
    }
}
