package io.jcluster.agent.supervisor;

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
 */
final class HealthProbe {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private HealthProbe() {
    }

    /** Returns null when healthy, else what failed. */
    static String check(Map<InetSocketAddress, Integer> bound, String httpPath, int timeoutMillis) {
        if (bound.isEmpty()) {
            return null;
        }
        if (httpPath == null) {
            for (int port : bound.values()) {
                String failure = connect(port, timeoutMillis);
                if (failure != null) {
                    return failure;
                }
            }
            return null;
        }
        Map.Entry<InetSocketAddress, Integer> first = bound.entrySet().iterator().next();
        return get(first.getValue(), first.getKey().getPort(), httpPath, timeoutMillis);
    }

    private static String connect(int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
            return null;
        } catch (SocketTimeoutException e) {
            return "connect to 127.0.0.1:" + port + " timed out after " + timeoutMillis + "ms";
        } catch (IOException e) {
            return "connect to 127.0.0.1:" + port + " failed (" + e.getMessage() + ")";
        }
    }

    private static String get(int port, int requestedPort, String path, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        String what = "GET " + path + " on 127.0.0.1:" + port;
        try (Socket socket = new Socket()) {
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
        }
    }
}
