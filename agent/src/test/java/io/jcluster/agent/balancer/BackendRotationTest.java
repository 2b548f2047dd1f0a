package io.jcluster.agent.balancer;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.routing.proxy.ProxyFrontends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone balancer's run-time rotation ({@link Balancer#withdraw}, {@link Balancer#restore},
 * {@link BackendProbe}): a drained backend stays out of rotation even when a probe finds it serving again, and a
 * backend put back while down enters rotation only once a probe connects. A real balancer on loopback: the probe's
 * connects are real.
 */
class BackendRotationTest {

    private static final Duration PERIOD = Duration.ofMillis(20);

    private final Balancer balancer;
    private final BackendProbe probe;
    private final ServerSocket serving = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Backend up = new Backend(0, (InetSocketAddress) serving.getLocalSocketAddress());
    private final Backend other = new Backend(1, new InetSocketAddress(InetAddress.getLoopbackAddress(), refusingPort()));
    private final InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), refusingPort());

    BackendRotationTest() throws Exception {
        balancer = ProxyFrontends.of(OptionParser.parse(""), false).start();
        probe = balancer.probeRefusedBackends(PERIOD);
        balancer.listen(listen, List.of(up, other));
    }

    @AfterEach
    void close() throws IOException {
        balancer.close();
        serving.close();
    }

    private Set<Backend> rotation() {
        return Set.of(balancer.inRotation(listen));
    }

    @Test
    void aDrainedBackendLeavesRotationAndComesBackWhenPutBack() {
        balancer.withdraw(up);
        assertEquals(Set.of(other), rotation());
        assertTrue(up.draining());
        balancer.restore(up);
        assertEquals(Set.of(up, other), rotation());
        assertFalse(up.draining());
    }

    @Test
    void aProbeThatFindsADrainedBackendServingLeavesItOutOfRotation() throws Exception {
        probe.down(up, "test");
        balancer.withdraw(up);
        awaitUp(up);
        assertEquals(Set.of(other), rotation(), "drained: the probe must not put it back");

        balancer.restore(up);
        assertEquals(Set.of(up, other), rotation());
    }

    @Test
    void aBackendPutBackWhileDownEntersRotationOnlyOnceAProbeConnects() throws Exception {
        probe.down(other, "test");
        balancer.withdraw(other);
        balancer.restore(other);
        Thread.sleep(10 * PERIOD.toMillis());
        assertTrue(probe.isDown(other), "nothing listens there");
        assertEquals(Set.of(up), rotation());

        probe.down(up, "test"); // a serving backend: the probe brings it back by itself
        awaitUp(up);
        assertEquals(Set.of(up), rotation());
    }

    @Test
    void aForgottenBackendIsNoLongerProbedBackIn() throws Exception {
        probe.down(up, "test");
        probe.forget(up);
        Thread.sleep(10 * PERIOD.toMillis());
        assertEquals(Set.of(other), rotation(), "removed: it serves, yet no probe puts it back");
        assertFalse(probe.isDown(up));
    }

    private void awaitUp(Backend backend) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (probe.isDown(backend)) {
            assertTrue(System.nanoTime() - deadline < 0, "no probe connected to " + backend + " within 10 s");
            Thread.sleep(5);
        }
        Thread.sleep(100); // the probe admits (or not) right after it leaves the down set
    }

    private static int refusingPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
