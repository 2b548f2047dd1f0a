package io.jcluster.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The backends and clients of the relay benchmarks: plain blocking java.net sockets on 127.0.0.1 with a thread per
 * connection and reused byte arrays, so that they allocate (next to) nothing per message. JMH's gc profiler counts
 * every thread of the JVM; whatever these allocate shows in the benchmarks' "direct" rows, which leave the balancer
 * out, and is the baseline to subtract.
 */
final class LoopbackServers {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** What the HTTP backend answers to every request. */
    static final byte[] HTTP_RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
            + "hello, world\n").getBytes(StandardCharsets.US_ASCII);

    private LoopbackServers() {
    }

    /** A server that runs {@code serve} on a thread of its own for each connection. */
    static final class Server implements AutoCloseable {

        interface Connection {
            void serve(InputStream in, OutputStream out) throws IOException;
        }

        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Server(String name, Connection connection) throws IOException {
            socket = new ServerSocket(0, 512, LOOPBACK);
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        client.setTcpNoDelay(true);
                        accepted.add(client);
                        Thread serving = new Thread(() -> {
                            try (client) {
                                connection.serve(client.getInputStream(), client.getOutputStream());
                            } catch (IOException e) {
                                // the client went away
                            }
                        }, name + "-connection");
                        serving.setDaemon(true);
                        serving.start();
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, name + "-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(LOOPBACK, socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket client : accepted) {
                client.close();
            }
        }
    }

    /** Sends back every byte it receives. */
    static Server echo() throws IOException {
        return new Server("echo-backend", (in, out) -> {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        });
    }

    /**
     * Answers {@link #HTTP_RESPONSE} to each request on a keep-alive connection. A request ends at its empty line
     * (the benchmark sends GETs without a body); requests that arrive together are answered in order.
     */
    static Server http() throws IOException {
        return new Server("http-backend", (in, out) -> {
            byte[] buffer = new byte[16 * 1024];
            int matched = 0; // of "\r\n\r\n"
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    matched = next(matched, buffer[i]);
                    if (matched == 4) {
                        out.write(HTTP_RESPONSE);
                        matched = 0;
                    }
                }
            }
        });
    }

    /** Progress through "\r\n\r\n" after {@code b}, having matched {@code matched} bytes of it. */
    static int next(int matched, byte b) {
        if (b == '\r') {
            return matched == 2 ? 3 : 1;
        }
        if (b == '\n' && (matched == 1 || matched == 3)) {
            return matched + 1;
        }
        return 0;
    }

    /** A free port on 127.0.0.1 (for the balancer's listener, which is told an address to bind). */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(address, 5_000);
        return socket;
    }

    static void readFully(InputStream in, byte[] into, int length) throws IOException {
        for (int read = 0; read < length; ) {
            int n = in.read(into, read, length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " of " + length + " bytes");
            }
            read += n;
        }
    }
}
