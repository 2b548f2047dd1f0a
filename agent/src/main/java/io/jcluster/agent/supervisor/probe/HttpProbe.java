package io.jcluster.agent.supervisor.probe;

import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** health=/path: an HTTP/1.1 GET of the path on the worker's first port must answer 2xx or 3xx in time. */
final class HttpProbe implements Probe {

    private final String path;
    private volatile ClientAddressTable table;

    HttpProbe(String path) {
        this.path = path;
    }

    @Override
    public void markIn(ClientAddressTable table) {
        this.table = table;
    }

    @Override
    public String check(long pid, Map<InetSocketAddress, Integer> bound, int timeoutMillis) {
        if (bound.isEmpty()) {
            return null;
        }
        Map.Entry<InetSocketAddress, Integer> first = bound.entrySet().iterator().next();
        return get(first.getValue(), first.getKey().getPort(), timeoutMillis);
    }

    private String get(int port, int requestedPort, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        String what = "GET " + path + " on 127.0.0.1:" + port;
        try (ProbeSocket probe = ProbeSocket.connect(port, timeoutMillis, table)) {
            OutputStream out = probe.socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + requestedPort
                    + "\r\nUser-Agent: jcluster-health\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = probe.socket.getInputStream();
            StringBuilder statusLine = new StringBuilder();
            while (statusLine.length() < 200) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    throw new SocketTimeoutException();
                }
                probe.socket.setSoTimeout(left);
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
