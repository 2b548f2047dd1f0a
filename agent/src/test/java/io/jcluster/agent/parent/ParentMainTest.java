package io.jcluster.agent.parent;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.routing.kernel.KernelRouting;
import io.jcluster.agent.routing.proxy.ProxyRouting;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The wiring picks the routing mode once, from the options, and the supervisor's probe follows from it. */
class ParentMainTest {

    @Test
    void balancerKernelRoutesThroughTheKernelAndProbesThroughProc() throws Exception {
        RoutingMode routing = ParentMain.routing(OptionParser.parse("processes=2,balancer=kernel"), why -> { });
        try {
            assertInstanceOf(KernelRouting.class, routing);
            assertEquals("ListeningProbe", routing.probe().getClass().getSimpleName(), "/proc, not a connect");
        } finally {
            routing.close();
        }
    }

    @Test
    void byDefaultTheParentProxiesAndProbesThePrivatePorts() throws Exception {
        RoutingMode routing = ParentMain.routing(OptionParser.parse("processes=2"), why -> { });
        try {
            assertInstanceOf(ProxyRouting.class, routing);
            assertEquals("health=tcp", routing.probe().toString(), "a connect to each private port");
        } finally {
            routing.close();
        }
    }
}
