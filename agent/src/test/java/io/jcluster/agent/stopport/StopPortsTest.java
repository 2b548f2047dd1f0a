package io.jcluster.agent.stopport;

import io.jcluster.agent.control.ControlMessage;
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

    private InetSocketAddress listenJetty(String key) {
        ports = new StopPorts(stops::add);
        ports.heard(new ControlMessage.StopPort(ANY_LOOPBACK_PORT, ControlMessage.StopPort.JETTY, key));
        InetSocketAddress listening = ports.listening(ANY_LOOPBACK_PORT);
        assertNotNull(listening, "the parent listens where the worker's Jetty asked (STOP.PORT)");
        return listening;
    }

    /** What the parent answers {@code request} before it closes (its side's end of the stream). */
    private String exchange(InetSocketAddress address, String request) throws IOException {
        try (Socket socket = connect(address)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void jettysStopCommandStopsTheClusterAndHearsStoppedOnceItHasStopped() throws Exception {
        InetSocketAddress address = listenJetty("secret");
        // org.eclipse.jetty.start.Main#stop with STOP.WAIT: writes, then reads lines until the end of the stream
        Socket client = connect(address);
        client.getOutputStream().write("secret\r\nstop\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("Jetty's stop command received on 127.0.0.1:" + address.getPort(), stops.poll(5, TimeUnit.SECONDS));
        client.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(),
                "nothing is answered while the cluster stops");
        client.setSoTimeout(5_000);
        ports.close(); // the cluster has stopped
        assertEquals("Stopped\r\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void aWrongJettyKeyIsIgnoredAndStatusIsAnswered() throws Exception {
        InetSocketAddress address = listenJetty("secret");
        assertEquals("", exchange(address, "Secret\r\nstop\r\n"), "a wrong key: closed unanswered");
        assertEquals("", exchange(address, "\r\nstop\r\n"));
        assertEquals("", exchange(address, "secret\r\nrestart\r\n"), "an unknown command: the same");
        assertEquals("OK\r\n", exchange(address, "secret\r\nstatus\r\n"));
        assertNull(stops.poll(300, TimeUnit.MILLISECONDS), "none of them stops anything");
    }

    @Test
    void aStrangerCannotHoldJettysPortPastTheCap() throws Exception {
        InetSocketAddress address = listenJetty("secret");
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < StopPorts.MAX_CONNECTIONS; i++) {
            Socket socket = connect(address);
            socket.getOutputStream().write('s'); // a key begun and never ended
            held.add(socket);
        }
        assertEquals(-1, connect(address).getInputStream().read(), "past the cap a connection is closed at once");
        for (Socket socket : held) {
            socket.close();
        }
        ControlMessage.StopPort newKey = new ControlMessage.StopPort(ANY_LOOPBACK_PORT, ControlMessage.StopPort.JETTY,
                "other"); // a reload after STOP.KEY changed: the latest key counts
        ports.heard(newKey);
        assertEquals("", exchange(address, "secret\r\nstatus\r\n"));
        assertEquals("OK\r\n", exchange(address, "other\r\nstatus\r\n"));
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
