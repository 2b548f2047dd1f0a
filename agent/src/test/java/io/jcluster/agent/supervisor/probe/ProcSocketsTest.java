package io.jcluster.agent.supervisor.probe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcSocketsTest {

    @Test
    void parsesARowOfProcNetTcp() {
        ProcSockets.Row row = ProcSockets.parse("   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000"
                + " 00000000  1000        0 123456 1 0000000000000000 100 0 0 10 0");
        assertEquals(new ProcSockets.Row(8080, "0A", 123456), row);
        ProcSockets.Row v6 = ProcSockets.parse("   0: 00000000000000000000000000000000:4E20"
                + " 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 987 1");
        assertEquals(new ProcSockets.Row(20000, "0A", 987), v6);
        assertNull(ProcSockets.parse("  sl  local_address rem_address   st tx_queue rx_queue"));
    }

    /** Real sockets of this very JVM, read back from /proc. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void seesThisProcesssListenerAndItsAcceptedConnections() throws IOException {
        long pid = ProcessHandle.current().pid();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            assertNull(ProcSockets.notListening(pid, Set.of(port)));
            assertEquals(0, ProcSockets.connections(pid, Set.of(port)));
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                try (Socket accepted = server.accept()) {
                    // the client's end has the port as its remote port: only the accepted end counts
                    assertEquals(1, ProcSockets.connections(pid, Set.of(port)));
                }
            }
            assertEquals(0, ProcSockets.connections(pid, Set.of(port)), "closed by this side: no longer counted");
        }
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        String failure = ProcSockets.notListening(pid, Set.of(free));
        assertTrue(failure != null && failure.contains("no listening socket on port " + free), failure);
    }
}
