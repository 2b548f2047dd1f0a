package io.jcluster.agent.routing.kernel;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.routing.FakeWorkers;
import io.jcluster.agent.supervisor.WorkerProcess;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelRoutingTest {

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final KernelRouting routing;
    private final InetSocketAddress shared = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

    KernelRoutingTest() throws Exception {
        routing = new KernelRouting(OptionParser.parse("processes=2,balancer=kernel"), failures::add);
    }

    @Test
    void workersAreProbedThroughProcNotByConnectingToTheSharedPort() {
        assertEquals("ListeningProbe", routing.probe().getClass().getSimpleName(), "/proc, not a connect");
    }

    @Test
    void theParentListensOnNothingAndSaysSo() {
        WorkerProcess worker = FakeWorkers.process(0);
        routing.bound(worker, shared, shared.getPort());
        routing.admit(worker);
        assertEquals(Set.of(shared), routing.listening(), "readiness waits for the shared address");
        assertEquals(List.of(), routing.listenerStats());
        assertEquals(new io.jcluster.agent.routing.RoutingMode.Description("kernel", "tcp", "SO_REUSEPORT"),
                routing.description());
        assertEquals(0, routing.traffic(worker).connectionsTotal());
    }

    @Test
    void aSocketThatCannotBeSharedStopsTheParent() {
        routing.cannotShare(FakeWorkers.process(1), shared, "no SO_REUSEPORT");
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).startsWith("balancer=kernel: worker 1 "), failures.get(0));
        assertTrue(failures.get(0).endsWith("this server stack needs balancer=proxy"), failures.get(0));
    }
}
