package io.jcluster.agent.supervisor;

import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Asks a worker whether it still serves, on its private ports (never through the balancer). {@code health=tcp}: a
 * connect to each port it bound must succeed, which shows the process lives and listens (the kernel completes a
 * connect even while the app's accept loop is stuck, so a deadlocked app needs the HTTP probe to be noticed).
 * {@code health=/path}: an HTTP/1.1 GET of the path on its first port must answer 2xx or 3xx in time.
 *
 * <p>Each probe marks itself in the {@link ClientAddressTable} as the parent's own connection, so that the worker
 * neither takes it for a client's nor counts it as a client whose address went missing.
 */
final class HealthProbe {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private HealthProbe() {
    }

    /** Returns null when healthy, else what failed. */
    static String check(Map<InetSocketAddress, Integer> bound, String httpPath, int timeoutMillis,
                        ClientAddressTable table) {
        if (bound.isEmpty()) {
            return null;
        }
        if (httpPath == null) {
            for (int port : bound.values()) {
                String failure = connect(port, timeoutMillis, table);
                if (failure != null) {
                    return failure;
                }
            }
            return null;
        }
        Map.Entry<InetSocketAddress, Integer> first = bound.entrySet().iterator().next();
        return get(first.getValue(), first.getKey().getPort(), httpPath, timeoutMillis, table);
    }

    private static String connect(int port, int timeoutMillis, ClientAddressTable table) {
        int claimed = -1;
        try (Socket socket = new Socket()) {
            claimed = markAsParent(socket, port, table);
            socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
            return null;
        } catch (SocketTimeoutException e) {
            return "connect to 127.0.0.1:" + port + " timed out after " + timeoutMillis + "ms";
        } catch (IOException e) {
            return "connect to 127.0.0.1:" + port + " failed (" + e.getMessage() + ")";
        } finally {
            release(claimed, table);
        }
    }

    /**
     * Binds {@code socket} to a port claimed in {@code table} and marks it as the parent's own connection to
     * {@code workerPort}; returns the port to release after closing, or -1 (no table, or no port could be bound:
     * the probe goes out unmarked, and the worker counts it as a client it could not find).
     */
    private static int markAsParent(Socket socket, int workerPort, ClientAddressTable table) throws IOException {
        if (table == null) {
            return -1;
        }
        socket.setReuseAddress(true);
        for (int attempt = 0; attempt < 8; attempt++) {
            int claimed = table.claim();
            if (claimed < 0) {
                return -1;
            }
            try {
                socket.bind(new InetSocketAddress(LOOPBACK, claimed));
            } catch (IOException e) {
                table.release(claimed); // another process holds that port
                continue;
            }
            table.publishParent(claimed, workerPort);
            return claimed;
        }
        return -1;
    }

    private static void release(int claimed, ClientAddressTable table) {
        if (claimed >= 0) {
            table.release(claimed);
        }
    }

    private static String get(int port, int requestedPort, String path, int timeoutMillis, ClientAddressTable table) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        String what = "GET " + path + " on 127.0.0.1:" + port;
        int claimed = -1;
        try (Socket socket = new Socket()) {
            claimed = markAsParent(socket, port, table);
            socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + requestedPort
                    + "\r\nUser-Agent: jcluster-health\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder statusLine = new StringBuilder();
            while (statusLine.length() < 200) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    throw new SocketTimeoutException();
                }
                socket.setSoTimeout(left);
                int next = in.read();
                if (next < 0 || next == '\n') {
                    break;
                }
                statusLine.append((char) next);
            }
            String[] parts = statusLine.toString().trim().split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                return what + ": not an HTTP response ('" + statusLine.toString().trim() + "')";
            }
            int status = Integer.parseInt(parts[1]);
            return status >= 200 && status < 400 ? null : what + " answered " + status;
        } catch (SocketTimeoutException e) {
            return what + ": no answer within " + timeoutMillis + "ms";
        } catch (IOException | NumberFormatException e) {
            return what + " failed (" + e.getMessage() + ")";
        } finally {
            release(claimed, table);
        }
    }
}
