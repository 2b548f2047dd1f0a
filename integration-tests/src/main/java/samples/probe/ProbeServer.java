package samples.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A test app that opens every kind of socket jcluster must (or must not) touch.
 *
 * <pre>
 *   --http P    an HttpServer on 0.0.0.0:P (repeatable); endpoints /, /slow?ms=N, /info (also the processors and
 *               max heap this JVM sees), /connect?port=X,
 *               /unbind (answers, then this process stops that HttpServer but keeps running)
 *   --zero      also a ServerSocket on port 0 (must NOT be clustered)
 *   --udp P     a UDP echo socket on 0.0.0.0:(P + worker id) (must NOT be clustered)
 *   --unix DIR  a unix-domain server at DIR/probe-(worker id).sock answering "unix ok" (must NOT be clustered)
 *   --echo P    a blocking ServerSocket on 0.0.0.0:P that echoes "echo:" + everything read, after the client's EOF
 *   --firehose P  a blocking ServerSocket on 0.0.0.0:P: reads a line "N", writes N MiB of bytes, closes
 * </pre>
 */
public final class ProbeServer {

    private static final long PID = ProcessHandle.current().pid();
    private static final String WORKER_ID = System.getenv().getOrDefault("JCLUSTER_WORKER_ID", "standalone");

    private final List<String> info = new ArrayList<>();

    private ProbeServer() {
    }

    public static void main(String[] args) throws IOException {
        new ProbeServer().run(args);
    }

    private void run(String[] args) throws IOException {
        List<Integer> httpPorts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--http" -> httpPorts.add(Integer.parseInt(args[++i]));
                case "--zero" -> openZero();
                case "--udp" -> openUdp(Integer.parseInt(args[++i]));
                case "--unix" -> openUnix(Path.of(args[++i]));
                case "--echo" -> openEcho(Integer.parseInt(args[++i]));
                case "--firehose" -> openFirehose(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        info.add("processors=" + Runtime.getRuntime().availableProcessors());
        info.add("maxHeapMiB=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
        for (int port : httpPorts) {
            openHttp(port);
        }
        System.out.println("probe ready");
    }

    private static int workerNumber() {
        String id = System.getenv("JCLUSTER_WORKER_ID");
        return id == null ? 0 : Integer.parseInt(id);
    }

    private void openZero() throws IOException {
        ServerSocket zero = new ServerSocket(0);
        info.add("zero=" + zero.getLocalSocketAddress());
        Thread thread = new Thread(() -> {
            while (true) {
                try {
                    zero.accept().close(); // accept and drop: the socket only has to exist
                } catch (IOException e) {
                    return;
                }
            }
        }, "probe-zero");
        thread.start();
    }

    private void openUdp(int basePort) throws IOException {
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(basePort + workerNumber()));
        info.add("udp=" + udp.getLocalSocketAddress());
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[2048];
            while (true) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    udp.receive(packet);
                    udp.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength(),
                            packet.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "probe-udp");
        thread.start();
    }

    private void openUnix(Path dir) throws IOException {
        Path path = dir.resolve("probe-" + workerNumber() + ".sock");
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        info.add("unix=" + path);
        Thread thread = new Thread(() -> {
            while (true) {
                try (SocketChannel client = server.accept()) {
                    client.write(ByteBuffer.wrap("unix ok\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        }, "probe-unix");
        thread.start();
    }

    private void openEcho(int port) throws IOException {
        serveEachConnection(port, "probe-echo", ProbeServer::echoAfterEof);
    }

    private void openFirehose(int port) throws IOException {
        serveEachConnection(port, "probe-firehose", ProbeServer::firehose);
    }

    /** A blocking ServerSocket on 0.0.0.0:port, one thread per accepted connection. */
    private static void serveEachConnection(int port, String name, java.util.function.Consumer<Socket> handler)
            throws IOException {
        ServerSocket server = new ServerSocket(port);
        Thread thread = new Thread(() -> {
            while (true) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                new Thread(() -> handler.accept(client), name + "-conn").start();
            }
        }, name);
        thread.start();
    }

    /** Writes as fast as the connection takes it: the client decides how fast that is. */
    private static void firehose(Socket client) {
        try (client) {
            java.io.BufferedReader reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
            long mebibytes = Long.parseLong(reader.readLine().trim());
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 'x');
            OutputStream out = client.getOutputStream();
            for (long i = 0; i < mebibytes; i++) {
                out.write(chunk);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            System.err.println("firehose connection failed: " + e);
        }
    }

    private static void echoAfterEof(Socket client) {
        try (client) {
            byte[] received = client.getInputStream().readAllBytes();
            OutputStream out = client.getOutputStream();
            out.write("echo:".getBytes(StandardCharsets.UTF_8));
            out.write(received);
            out.flush();
        } catch (IOException e) {
            System.err.println("echo connection failed: " + e);
        }
    }

    private void openHttp(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 404, "not found\n");
                return;
            }
            respond(exchange, 200, "worker " + WORKER_ID + " pid " + PID + " port " + port + "\n");
        });
        server.createContext("/slow", exchange -> {
            long ms = queryLong(exchange, "ms", 1000);
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "slow done by pid " + PID + "\n");
        });
        server.createContext("/info", exchange -> {
            StringBuilder body = new StringBuilder();
            for (String line : info) {
                body.append(line).append('\n');
            }
            respond(exchange, 200, body.toString());
        });
        server.createContext("/connect", exchange -> {
            int target = (int) queryLong(exchange, "port", -1);
            try (Socket socket = new Socket("127.0.0.1", target)) {
                socket.getOutputStream().write("probe\n".getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                respond(exchange, 502, "connect failed: " + e + "\n");
                return;
            }
            respond(exchange, 200, "connected\n");
        });
        server.createContext("/unbind", exchange -> {
            respond(exchange, 200, "unbinding pid " + PID + "\n");
            new Thread(() -> server.stop(0), "probe-unbind").start();
        });
        server.start();
    }

    private static long queryLong(HttpExchange exchange, String name, long fallback) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return fallback;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return Long.parseLong(pair.substring(name.length() + 1));
            }
        }
        return fallback;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(new ByteArrayOutputStream());
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
