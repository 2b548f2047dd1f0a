package samples.cache;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;

/**
 * An app behind the response cache (cache=): endpoints with the caching headers the tests need, each counting the
 * requests that reach it in a file of the directory given (one byte per request, appended by every worker: the
 * file's size is the count across the cluster). Every response carries X-Pid.
 *
 * <pre>
 *   /                 no caching headers (for readiness)
 *   /fresh            Cache-Control: max-age=2, ETag "v1"; If-None-Match "v1" gets 304 (counted as fresh-304)
 *   /slow             answers after 500 ms, max-age=60
 *   /vary             Vary: Accept-Encoding, the body names the request's Accept-Encoding, max-age=60
 *   /private          private, max-age=60;   /nostore: no-store;   /cookie: max-age=60 with Set-Cookie
 *   /auth             max-age=60 (asked with Authorization by the test)
 *   /item             GET: max-age=60; POST: 200 (the cache invalidates /item)
 *   /sie              max-age=1, stale-if-error=600
 * </pre>
 */
public final class CacheOrigin {

    private static final long PID = ProcessHandle.current().pid();
    private static Path counts;

    private CacheOrigin() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        counts = Path.of(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", exchange -> respond(exchange, 200, null, "pid " + PID + "\n"));
        server.createContext("/fresh", exchange -> {
            String match = exchange.getRequestHeaders().getFirst("If-None-Match");
            exchange.getResponseHeaders().set("ETag", "\"v1\"");
            if ("\"v1\"".equals(match)) {
                count("fresh-304");
                exchange.getResponseHeaders().set("Cache-Control", "max-age=2");
                exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
                exchange.sendResponseHeaders(304, -1);
                exchange.close();
                return;
            }
            count("fresh");
            respond(exchange, 200, "max-age=2", "fresh from pid " + PID + "\n");
        });
        server.createContext("/slow", exchange -> {
            count("slow");
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "max-age=60", "slow from pid " + PID + "\n");
        });
        server.createContext("/vary", exchange -> {
            count("vary");
            exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
            respond(exchange, 200, "max-age=60", "encoding "
                    + exchange.getRequestHeaders().getFirst("Accept-Encoding") + "\n");
        });
        server.createContext("/private", exchange -> {
            count("private");
            respond(exchange, 200, "private, max-age=60", "mine\n");
        });
        server.createContext("/nostore", exchange -> {
            count("nostore");
            respond(exchange, 200, "no-store", "secret\n");
        });
        server.createContext("/cookie", exchange -> {
            count("cookie");
            exchange.getResponseHeaders().set("Set-Cookie", "session=" + System.nanoTime());
            respond(exchange, 200, "max-age=60", "with a cookie\n");
        });
        server.createContext("/auth", exchange -> {
            count("auth");
            respond(exchange, 200, "max-age=60", "for " + exchange.getRequestHeaders().getFirst("Authorization")
                    + "\n");
        });
        server.createContext("/item", exchange -> {
            if (exchange.getRequestMethod().equals("POST")) {
                try (InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                }
                count("item-post");
                respond(exchange, 200, null, "updated\n");
                return;
            }
            count("item");
            respond(exchange, 200, "max-age=60", "item from pid " + PID + "\n");
        });
        server.createContext("/sie", exchange -> {
            count("sie");
            respond(exchange, 200, "max-age=1, stale-if-error=600", "kept from pid " + PID + "\n");
        });
        server.start();
        System.out.println("cache origin listening on " + port);
    }

    private static void count(String name) throws IOException {
        Files.write(counts.resolve(name), new byte[]{'x'}, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void respond(HttpExchange exchange, int status, String cacheControl, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        if (cacheControl != null) {
            exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
