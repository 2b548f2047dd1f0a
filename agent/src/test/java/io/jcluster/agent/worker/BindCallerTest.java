package io.jcluster.agent.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The binds whose port belongs to each process, told by the frame that makes them. */
class BindCallerTest {

    @Test
    void jettysStopPortIsToldByItsListenFrame() {
        assertEquals(BindCaller.JETTY_STOP_PORT, BindCaller.of("org.eclipse.jetty.server.ShutdownService", "listen"));
        assertEquals(BindCaller.JETTY_STOP_PORT, BindCaller.of("org.eclipse.jetty.server.ShutdownMonitor", "listen"));
        assertEquals(BindCaller.JETTY_STOP_PORT, BindCaller.of("shaded.org.eclipse.jetty.server.ShutdownService", "listen"));
        assertEquals(BindCaller.OTHER, BindCaller.of("org.eclipse.jetty.server.ShutdownService", "start"));
        assertEquals(BindCaller.OTHER, BindCaller.of("org.eclipse.jetty.server.ServerConnector", "open"));
        assertEquals(BindCaller.OTHER, BindCaller.of("com.example.ShutdownService", "listen"));
    }

    @Test
    void tomcatsShutdownPortAndRmiStayAsTheyWere() {
        assertEquals(BindCaller.TOMCAT_SHUTDOWN_PORT, BindCaller.of("org.apache.catalina.core.StandardServer", "await"));
        assertEquals(BindCaller.RMI, BindCaller.of("sun.rmi.transport.tcp.TCPTransport", "listen"));
    }
}
