package io.jcluster.agent.supervisor.probe;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * health= changed by a SIGHUP: the probe the supervisor holds asks the new path (or a connect) from its next check.
 * A loopback server answers 200 for /up and 503 for anything else.
 */
class SwitchingProbeTest {

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread serving = new Thread(this::serve, "health-server");

    SwitchingProbeTest() throws IOException {
        serving.setDaemon(true);
        serving.start();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 200; b = in.read()) {
                    line.append((char) b);
                }
                String status = line.toString().startsWith("GET /up ") ? "200 OK" : "503 Service Unavailable";
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the test ended, or a tcp probe connected and left without a request
            }
        }
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        server.close();
        serving.join(5000);
    }

    @Test
    void aNewHealthPathIsAskedFromTheNextCheckOn() {
        Map<InetSocketAddress, Integer> bound = Map.of(new InetSocketAddress(8080), server.getLocalPort());
        Probe probe = Probe.connecting(null);
        assertNull(probe.check(1, bound, 2000), "health=tcp: a connect");
        assertEquals("health=tcp", probe.toString());

        probe.healthPath("/down");
        assertEquals("GET /down on 127.0.0.1:" + server.getLocalPort() + " answered 503", probe.check(1, bound, 2000));
        probe.healthPath("/up");
        assertNull(probe.check(1, bound, 2000));
        assertEquals("health=/up", probe.toString());
        probe.healthPath(null);
        assertNull(probe.check(1, bound, 2000));
    }
}
