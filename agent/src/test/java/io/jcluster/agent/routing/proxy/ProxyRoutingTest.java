package io.jcluster.agent.routing.proxy;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.routing.FakeWorkers;
import io.jcluster.agent.supervisor.WorkerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy mode's bookkeeping over a real balancer on loopback sockets: a worker's reported binds become backends,
 * which take connections only while the supervisor has the worker admitted.
 */
class ProxyRoutingTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final ProxyRouting routing;
    private final ServerSocket backend;
    private final InetSocketAddress requested;
    private final WorkerProcess worker = FakeWorkers.process(0);

    ProxyRoutingTest() throws Exception {
        Options options = OptionParser.parse("processes=2");
        routing = new ProxyRouting(options, ProxyFrontends.of(options, false).start(), failures::add);
        backend = new ServerSocket(0, 50, LOOPBACK);
        backend.setSoTimeout(5_000);
        requested = new InetSocketAddress(LOOPBACK, freePort());
    }

    @AfterEach
    void close() throws IOException {
        routing.close();
        backend.close();
    }

    @Test
    void aReportedBindOpensNoListenerUntilItsWorkerIsAdmitted() throws Exception {
        routing.bound(worker, requested, backend.getLocalPort());
        assertEquals(Set.of(requested), routing.listening(), "every worker must serve it before it is ready");
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, requested.getPort()).close(),
                "no listener while no worker can take the connection");

        routing.admit(worker);
        try (Socket client = new Socket(LOOPBACK, requested.getPort()); Socket served = backend.accept()) {
            assertTrue(served.isConnected(), "the connection reaches the worker's private port");
            awaitTotal(1);
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void aBindAfterAdmissionIsServedAtOnce() throws Exception {
        routing.admit(worker);
        routing.bound(worker, requested, backend.getLocalPort());
        try (Socket client = new Socket(LOOPBACK, requested.getPort()); Socket served = backend.accept()) {
            assertTrue(served.isConnected());
        }
    }

    @Test
    void aWithdrawnWorkerGetsNoNewConnection() throws Exception {
        routing.bound(worker, requested, backend.getLocalPort());
        routing.admit(worker);
        routing.withdraw(worker);
        backend.setSoTimeout(500);
        try (Socket client = new Socket(LOOPBACK, requested.getPort())) {
            assertThrows(SocketTimeoutException.class, () -> backend.accept().close(),
                    "a withdrawn worker's backend is out of rotation");
        }
        assertEquals(0, routing.openConnections(worker));
    }

    @Test
    void aGoneWorkerIsForgottenAndItsSuccessorServes() throws Exception {
        routing.bound(worker, requested, backend.getLocalPort());
        routing.admit(worker);
        try (Socket client = new Socket(LOOPBACK, requested.getPort()); Socket served = backend.accept()) {
            awaitTotal(1);
        }
        routing.gone(worker);
        assertEquals(0, routing.traffic(worker).connectionsTotal(), "its backends are forgotten");

        WorkerProcess successor = FakeWorkers.process(0);
        try (ServerSocket next = new ServerSocket(0, 50, LOOPBACK)) {
            next.setSoTimeout(5_000);
            routing.bound(successor, requested, next.getLocalPort());
            routing.admit(successor);
            try (Socket client = new Socket(LOOPBACK, requested.getPort()); Socket served = next.accept()) {
                assertTrue(served.isConnected(), "the same address, now served by the successor's port");
            }
        }
    }

    @Test
    void anAddressThatCannotBeOpenedStopsTheParent() throws Exception {
        try (ServerSocket taken = new ServerSocket(requested.getPort(), 50, LOOPBACK)) {
            routing.bound(worker, requested, backend.getLocalPort());
            routing.admit(worker);
        }
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("cannot listen on 127.0.0.1:" + requested.getPort()), failures.get(0));
    }

    @Test
    void workersAreProbedOnTheirPrivatePorts() {
        assertEquals("health=tcp", routing.probe().toString(), "a connect to each private port");
        assertEquals("least-connections", routing.description().strategy(), "the default strategy");
        assertEquals("tcp", routing.description().protocol());
    }

    private void awaitTotal(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (routing.traffic(worker).connectionsTotal() != expected && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertEquals(expected, routing.traffic(worker).connectionsTotal(), "counted against the worker's backends");
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }
}
