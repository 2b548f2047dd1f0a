package samples.cache;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test app for the response cache's memory bound: {@code CacheableServer PORT SIZE} answers every GET of any path
 * with SIZE bytes (the path first, so each is distinct) and {@code Cache-Control: public, max-age=600}; {@code /count}
 * (not cacheable) answers how many cacheable responses it sent.
 */
public final class CacheableServer {

    private CacheableServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        AtomicLong served = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 128);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                if (path.equals("/count")) {
                    send(exchange, "no-store", Long.toString(served.get()).getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                byte[] body = new byte[size];
                byte[] name = path.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(name, 0, body, 0, Math.min(name.length, size));
                served.incrementAndGet();
                send(exchange, "public, max-age=600", body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("cacheable server on " + port + ", " + size + " bytes per response");
    }

    private static void send(HttpExchange exchange, String cacheControl, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
