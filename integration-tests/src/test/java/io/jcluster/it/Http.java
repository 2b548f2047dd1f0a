package io.jcluster.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over raw sockets, so each request's TCP connection is visible to the test: a
 * {@linkplain #fresh fresh} request opens its own connection with {@code Connection: close} and
 * reads until the server's EOF, so that connection is really closed before the next request; a
 * {@link KeepAlive} connection stays open and can carry several requests. {@link #client()} is
 * the JDK HttpClient for tests where connection reuse does not matter.
 */
final class Http {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private Http() {
    }

    /** One response: status, headers (keys lower-cased), body. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The X-Pid header every sample app sets: the pid of the process that answered. */
        long pid() {
            String pid = header("x-pid");
            if (pid == null) {
                throw new AssertionError("response has no X-Pid header: " + this);
            }
            return Long.parseLong(pid.trim());
        }
    }

    /** GET on 127.0.0.1:port over a new connection with {@code Connection: close}. */
    static Response fresh(int port, String path) throws IOException {
        return fresh(port, path, READ_TIMEOUT);
    }

    static Response fresh(int port, String path, Duration readTimeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request(port, path, true));
            out.flush();
            byte[] all = socket.getInputStream().readAllBytes();
            return parse(all, port, path);
        }
    }

    /** A response, and the client end of the connection that carried it. */
    record Exchange(Response response, InetSocketAddress client) {
    }

    /**
     * GET on 127.0.0.1:port over a new connection whose source address is {@code source} (any address of this
     * machine: the server sees it as the peer), with {@code Connection: close}.
     */
    static Exchange freshFrom(java.net.InetAddress source, int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            InetSocketAddress client = (InetSocketAddress) socket.getLocalSocketAddress();
            OutputStream out = socket.getOutputStream();
            out.write(request(port, path, true));
            out.flush();
            return new Exchange(parse(socket.getInputStream().readAllBytes(), port, path), client);
        }
    }

    private static byte[] request(int port, String path, boolean close) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "User-Agent: jcluster-it\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Response parse(byte[] all, int port, String path) throws IOException {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("incomplete HTTP response from 127.0.0.1:" + port + path + " ("
                    + all.length + " bytes): " + text);
        }
        Map<String, String> headers = new TreeMap<>();
        String[] lines = text.substring(0, end).split("\r\n");
        int status = statusOf(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static int statusOf(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        return Integer.parseInt(parts[1]);
    }

    /** Opens a connection that stays open between requests. */
    static KeepAlive keepAlive(int port) throws IOException {
        return new KeepAlive(port, null);
    }

    /** Opens a connection that stays open between requests, from {@code source} (see {@link #freshFrom}). */
    static KeepAlive keepAliveFrom(java.net.InetAddress source, int port) throws IOException {
        return new KeepAlive(port, source);
    }

    /** A persistent HTTP/1.1 connection; responses must carry Content-Length (the samples' do). */
    static final class KeepAlive implements AutoCloseable {

        private final int port;
        private final Socket socket;
        private final InputStream in;

        private KeepAlive(int port, java.net.InetAddress source) throws IOException {
            this.port = port;
            this.socket = new Socket();
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            this.in = socket.getInputStream();
        }

        Response get(String path) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(request(port, path, false));
            out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!endsWithBlankLine(head)) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("EOF inside response headers: " + head);
                }
                head.write(b);
            }
            String headText = head.toString(StandardCharsets.ISO_8859_1);
            int length = -1;
            for (String line : headText.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            if (length < 0) {
                throw new IOException("keep-alive response without Content-Length: " + headText);
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("EOF inside response body");
            }
            head.write(body);
            return parse(head.toByteArray(), port, path);
        }

        /** This end of the connection: the address and port the server sees as its peer. */
        InetSocketAddress client() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        private static boolean endsWithBlankLine(ByteArrayOutputStream head) {
            byte[] b = head.toByteArray();
            int n = b.length;
            return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The JDK client, for tests where keep-alive is fine. */
    static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    static HttpResponse<String> send(HttpClient client, int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(READ_TIMEOUT)
                .GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
