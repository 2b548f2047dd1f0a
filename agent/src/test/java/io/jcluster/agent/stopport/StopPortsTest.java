package io.jcluster.agent.stopport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The parent's stop ports over real loopback sockets (the kernel picks each port: the reports ask for port 0). */
class StopPortsTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final LinkedBlockingQueue<String> stops = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new ArrayList<>();
    private StopPorts ports;

    @AfterEach
    void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (ports != null) {
            ports.close();
        }
    }

    private InetSocketAddress listen(long deadlineMillis, String command) {
        ports = new StopPorts(stops::add, deadlineMillis);
        ports.tomcat(ANY_LOOPBACK_PORT, command);
        InetSocketAddress listening = ports.listening(ANY_LOOPBACK_PORT);
        assertNotNull(listening, "the parent listens where the worker's Tomcat asked");
        return listening;
    }

    private Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(address, 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** Sends {@code text} as Catalina#stopServer does (then closes), and waits for the parent to close its side. */
    private void send(InetSocketAddress address, String text) throws IOException {
        try (Socket socket = connect(address)) {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read(), "the parent answers nothing and closes");
        }
    }

    @Test
    void theShutdownCommandStopsTheClusterAndAWrongOneDoesNot() throws Exception {
        InetSocketAddress address = listen(StopPorts.COMMAND_DEADLINE_MILLIS, "SHUTDOWN");
        send(address, "SHUTDOWNX");
        send(address, "shutdown\n");
        send(address, "");
        assertNull(stops.poll(300, TimeUnit.MILLISECONDS), "a wrong command is ignored");
        send(address, "SHUTDOWN");
        assertEquals("Tomcat's shutdown command received on 127.0.0.1:" + address.getPort(),
                stops.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void theLatestReportedCommandIsTheOneThatCounts() throws Exception {
        InetSocketAddress address = listen(StopPorts.COMMAND_DEADLINE_MILLIS, "OLD");
        ports.tomcat(ANY_LOOPBACK_PORT, "NEW"); // a reload after server.xml changed: same address, new command
        assertEquals(address, ports.listening(ANY_LOOPBACK_PORT), "the address is bound once");
        send(address, "OLD\n");
        assertNull(stops.poll(300, TimeUnit.MILLISECONDS));
        send(address, "NEW\n");
        assertNotNull(stops.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void aPortTakenByAnotherProcessIsALineNotAFailure() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) taken.getLocalSocketAddress();
            ports = new StopPorts(stops::add);
            ports.tomcat(address, "SHUTDOWN");
            ports.tomcat(address, "SHUTDOWN"); // every worker reports it: tried once
            assertNull(ports.listening(address));
        }
    }

    @Test
    void aStrangerCannotHoldMoreThanTheCap() throws Exception {
        InetSocketAddress address = listen(StopPorts.COMMAND_DEADLINE_MILLIS, "SHUTDOWN");
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < StopPorts.MAX_CONNECTIONS; i++) {
            Socket socket = connect(address);
            socket.getOutputStream().write('S'); // a command begun and never ended
            held.add(socket);
        }
        Socket oneTooMany = connect(address);
        // at once: long before the 10 s deadline (the socket's 5 s read timeout would throw)
        assertEquals(-1, oneTooMany.getInputStream().read(), "past the cap a connection is closed at once");
        for (Socket socket : held) {
            socket.close();
        }
        assertNull(stops.poll(100, TimeUnit.MILLISECONDS), "'S' then the end of the stream is no command");
        send(address, "SHUTDOWN");
        assertNotNull(stops.poll(5, TimeUnit.SECONDS), "once they are gone the port serves again");
    }

    @Test
    void aHeldConnectionIsClosedAtTheDeadline() throws Exception {
        InetSocketAddress address = listen(1_000, "SHUTDOWN");
        Socket socket = connect(address);
        socket.getOutputStream().write("SHUT".getBytes(StandardCharsets.ISO_8859_1));
        // within the socket's 5 s read timeout
        assertEquals(-1, socket.getInputStream().read(), "closed at the deadline");
        assertNull(stops.poll(100, TimeUnit.MILLISECONDS), "'SHUT' at the deadline is no command");
    }

    @Test
    void aFloodIsCutOffWithoutAStop() throws Exception {
        InetSocketAddress address = listen(StopPorts.COMMAND_DEADLINE_MILLIS, "SHUTDOWN");
        try (Socket socket = connect(address)) {
            byte[] chunk = "SHUTDOWN".repeat(1024).getBytes(StandardCharsets.ISO_8859_1);
            InputStream in = socket.getInputStream();
            try {
                for (int i = 0; i < 64; i++) {
                    socket.getOutputStream().write(chunk);
                }
            } catch (IOException e) {
                // the parent closed its side after 1024 characters: the write fails with a reset
            }
            try {
                // long before the 10 s deadline: the socket's 5 s read timeout would throw
                assertEquals(-1, in.read());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the parent kept reading the flood", e);
            } catch (IOException e) {
                // a reset, as closed as it gets
            }
        }
        assertNull(stops.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void afterCloseNothingListens() throws Exception {
        InetSocketAddress address = listen(StopPorts.COMMAND_DEADLINE_MILLIS, "SHUTDOWN");
        ports.close();
        ports.tomcat(ANY_LOOPBACK_PORT, "SHUTDOWN");
        assertNull(ports.listening(ANY_LOOPBACK_PORT), "a report after close is ignored");
        assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
    }
}
