package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcp-idle-timeout: a relayed connection quiet both ways for the timeout is closed; one that keeps talking is not.
 * One JDK: the check runs on the balancer's own event loop, the same code on every transport.
 */
@Timeout(120)
class TcpIdleTimeoutIT {

    @Test
    void aQuietConnectionIsClosedAndABusyOneIsNot() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(Jdk.jdk17(), port, "processes=1,tcp-idle-timeout=1s")) {
            cluster.awaitWorkers(1, STARTUP);
            cluster.awaitAnswering(port, 1, STARTUP);

            try (Socket quiet = connect(port); Http.KeepAlive busy = Http.keepAlive(port)) {
                exchange(quiet, port);
                long answered = System.nanoTime();
                // the busy connection: a request every 300 ms for 3 s, each on the same connection
                for (int i = 0; i < 10; i++) {
                    assertEquals(200, busy.get("/").status(), "request " + i + " on the busy connection");
                    ClusterProcess.sleep(300);
                }
                // by now the quiet one was closed by the balancer (the app keeps idle connections 30 s)
                quiet.setSoTimeout(5_000);
                int next;
                try {
                    next = quiet.getInputStream().read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the quiet connection is still open after "
                            + Duration.ofNanos(System.nanoTime() - answered).toMillis() + " ms", e);
                } catch (IOException reset) {
                    next = -1;
                }
                assertEquals(-1, next, "the quiet connection was closed");
                assertEquals(200, busy.get("/").status(), "the busy connection is still open");
            }

            // not before the timeout: a connection quiet for 0.5 s is still served
            try (Socket pausing = connect(port)) {
                exchange(pausing, port);
                ClusterProcess.sleep(500);
                exchange(pausing, port);
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** One keep-alive GET / and its whole response (the demo app sends Content-Length). */
    private static void exchange(Socket socket, int port) throws IOException {
        socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF inside the response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200"), text);
        int length = -1;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertTrue(length >= 0, text);
        assertEquals(length, in.readNBytes(length).length);
    }
}
