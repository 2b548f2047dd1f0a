package samples.hello;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The demo app: a plain JDK HTTP server that says which process answered.
 *
 * <pre>
 *   java -javaagent:jcluster.jar=processes=4 -jar samples.jar 8080
 *   curl localhost:8080/          # hello from worker 2 (pid 4242)
 *   curl 'localhost:8080/slow?ms=2000'
 * </pre>
 */
public final class HelloServer {

    private HelloServer() {
    }

    public static void main(String[] args) throws IOException {
        // the JDK server leaves Nagle on unless told otherwise: small keep-alive responses then wait for the
        // client's delayed ACK (~40 ms each on JDK 17)
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String workerId = System.getenv().getOrDefault("JCLUSTER_WORKER_ID", "standalone");
        long pid = ProcessHandle.current().pid();

        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 404, "not found\n");
                return;
            }
            respond(exchange, 200, "hello from worker " + workerId + " (pid " + pid + ")\n");
        });
        server.createContext("/slow", exchange -> {
            long ms = queryLong(exchange, "ms", 1000);
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "slow done by pid " + pid + "\n");
        });
        addPeerContext(server);
        server.start();
        System.out.println("hello server listening on port " + port);
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** GET /peer: {@code peer <address> <port>}, the exchange's remote address. */
    private static void addPeerContext(HttpServer server) {
        server.createContext("/peer", exchange -> {
            InetSocketAddress remote = exchange.getRemoteAddress();
            respond(exchange, 200, "peer " + remote.getAddress().getHostAddress() + " " + remote.getPort() + "\n");
        });
    }

    static long queryLong(HttpExchange exchange, String name, long fallback) {
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

    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", Long.toString(ProcessHandle.current().pid()));
        // who the app sees as its client: the client itself, or (behind a proxy) the proxy
        InetSocketAddress remote = exchange.getRemoteAddress();
        exchange.getResponseHeaders().set("X-Remote", remote.getAddress().getHostAddress() + ":" + remote.getPort());
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
