package io.jcluster.agent.standalone;

import io.jcluster.agent.admin.BalancerOperations.Outcome;
import io.jcluster.agent.admin.BalancerOperations.Outcome.Kind;
import io.jcluster.agent.admin.BalancerStatus;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendProbe;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.routing.proxy.ProxyFrontends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone balancer's run-time backend operations on a real balancer (tcp mode) over loopback: a drain
 * waits for the backend's connections, add and remove change what /status shows, and mistakes are named.
 */
class BackendRegistryTest {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMillis(500);

    private final ServerSocket first = server();
    private final ServerSocket second = server();
    private final Balancer balancer;
    private final BackendProbe probe;
    private final BackendRegistry registry;
    private final int port = freePort();

    BackendRegistryTest() throws Exception {
        balancer = ProxyFrontends.of(OptionParser.parse(""), false).start();
        probe = balancer.probeRefusedBackends(Duration.ofMillis(50));
        List<Backend> backends = List.of(new Backend(0, address(first)), new Backend(1, address(second)));
        balancer.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backends);
        registry = new BackendRegistry(balancer, probe, backends, DRAIN_TIMEOUT, "round-robin", "tcp");
    }

    @AfterEach
    void close() throws IOException {
        registry.close();
        balancer.close();
        first.close();
        second.close();
    }

    private List<String> states() {
        return registry.status().backends().stream().map(b -> b.address() + " " + b.state()).toList();
    }

    private static String name(ServerSocket server) {
        return "127.0.0.1:" + server.getLocalPort();
    }

    @Test
    void aDrainWithNoOpenConnectionIsDoneAtOnceAndReadyPutsItBack() {
        Outcome drained = registry.drain(name(first)).join();
        assertEquals(Kind.DONE, drained.kind(), drained.message());
        assertEquals("drained " + name(first) + ": no connection open; it gets no new ones until 'backend ready "
                + name(first) + "'", drained.message());
        assertEquals(List.of(name(first) + " draining", name(second) + " ready"), states());
        assertTrue(registry.status().ready());

        Outcome ready = registry.ready(name(first)).join();
        assertEquals(Kind.DONE, ready.kind());
        assertEquals(name(first) + " is in rotation again", ready.message());
        assertEquals(List.of(name(first) + " ready", name(second) + " ready"), states());
    }

    @Test
    void aDrainWaitsForAnOpenConnectionAndSaysSoWhenShutdownTimeoutPasses() throws Exception {
        registry.drain(name(second)).join(); // every new connection goes to the first
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            // the client spoke last and waits for an answer: the connection is busy, neither moved nor closed
            client.getOutputStream().write('x');
            Socket accepted = first.accept();
            assertEquals('x', accepted.getInputStream().read());
            long started = System.nanoTime();
            Outcome outcome = registry.drain(name(first)).join();
            assertEquals(Kind.UNFINISHED, outcome.kind(), outcome.message());
            assertEquals("draining " + name(first) + ": 1 connection(s) still open after shutdown-timeout 500ms; it"
                    + " gets no new ones", outcome.message());
            assertTrue(System.nanoTime() - started >= DRAIN_TIMEOUT.toNanos());
            accepted.close();
        }
        assertTrue(!registry.status().ready(), "both drained: not ready");
    }

    @Test
    void addAndRemoveChangeTheBackendsAtRunTime() throws Exception {
        try (ServerSocket third = server()) {
            Outcome added = registry.add(name(third)).join();
            assertEquals(Kind.DONE, added.kind(), added.message());
            assertEquals("added " + name(third) + "; in rotation", added.message());
            assertEquals(List.of(name(first) + " ready", name(second) + " ready", name(third) + " ready"), states());
            assertEquals(Kind.CONFLICT, registry.add(name(third)).join().kind());

            Outcome removed = registry.remove(name(first)).join();
            assertEquals(Kind.DONE, removed.kind(), removed.message());
            assertEquals(List.of(name(second) + " ready", name(third) + " ready"), states());
            assertEquals(Kind.UNKNOWN, registry.drain(name(first)).join().kind());
        }
    }

    @Test
    void aBackendAddedWhileDownWaitsForTheProbe() {
        int refusing = freePort();
        Outcome added = registry.add("127.0.0.1:" + refusing).join();
        assertEquals(Kind.DONE, added.kind(), added.message());
        assertEquals("added 127.0.0.1:" + refusing + "; it does not accept connections (connection refused), so it"
                + " enters rotation once a probe connects", added.message());
        assertTrue(states().contains("127.0.0.1:" + refusing + " down"), states().toString());
    }

    @Test
    void mistakesAreNamed() {
        Outcome unknown = registry.drain("127.0.0.1:1").join();
        assertEquals(Kind.UNKNOWN, unknown.kind());
        assertEquals("no backend 127.0.0.1:1 (backends: " + name(first) + ", " + name(second) + ")",
                unknown.message());
        Outcome bad = registry.add("127.0.0.1").join();
        assertEquals(Kind.BAD_REQUEST, bad.kind());
        assertEquals("--backend 127.0.0.1: the port is missing; expected HOST:PORT (e.g. 127.0.0.1:8081)",
                bad.message());
        assertEquals(Kind.DONE, registry.ready(name(first)).join().kind(), "not drained: nothing to do");
        registry.stopping();
        assertEquals(BalancerStatus.READY, registry.status().backends().get(0).state());
        assertTrue(!registry.status().ready(), "stopping: not ready");
    }

    private static ServerSocket server() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static InetSocketAddress address(ServerSocket server) {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    private static int freePort() {
        try (ServerSocket socket = server()) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
