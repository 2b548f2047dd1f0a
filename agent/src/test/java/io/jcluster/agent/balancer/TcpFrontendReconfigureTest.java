package io.jcluster.agent.balancer;

import io.jcluster.agent.config.OptionParser;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** tcp-idle-timeout set by a SIGHUP reaches the tcp frontend, which hands it to each connection it serves from then. */
class TcpFrontendReconfigureTest {

    @Test
    void aSighupSetsAndClearsTheIdleTimeoutOfNewConnections() throws Exception {
        TcpFrontend frontend = (TcpFrontend) Frontend.tcp(Duration.ZERO, RequestStart.NONE);
        frontend.reconfigure(OptionParser.parse("tcp-idle-timeout=5m"));
        assertEquals(Duration.ofMinutes(5).toNanos(), frontend.idleTimeoutNanos());
        frontend.reconfigure(OptionParser.parse("tcp-idle-timeout=off"));
        assertEquals(0, frontend.idleTimeoutNanos());
        assertEquals(0, TcpFrontend.PLAIN.idleTimeoutNanos(), "the shared plain relay is never changed");
    }
}
