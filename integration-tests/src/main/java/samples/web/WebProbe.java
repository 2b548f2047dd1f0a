package samples.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP app for http-mode tests, on the JDK's server. Every response carries X-Pid.
 *
 * <pre>
 *   /headers            the request headers as the app saw them, one "name: value" per line
 *   /chunked?lines=N    a chunked response of N lines
 *   /upload             (POST) reads the body as it streams in; answers its length
 *   /empty              204;  /not-modified: 304;  /slow?ms=N: answers after N ms
 *   /session            a session counter kept under a JSESSIONID cookie, as a servlet container does
 * </pre>
 */
public final class WebProbe {

    private static final long PID = ProcessHandle.current().pid();
    /** Requests to /counted this process answered (a load generator's requests, told apart per worker). */
    private static final AtomicInteger COUNTED = new AtomicInteger();
    private static final Map<String, AtomicInteger> SESSIONS = new ConcurrentHashMap<>();

    private WebProbe() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/", exchange -> respond(exchange, 200, "pid " + PID + "\n"));
        server.createContext("/counted", exchange -> respond(exchange, 200, "counted " + COUNTED.incrementAndGet() + "\n"));
        server.createContext("/count", exchange -> respond(exchange, 200, "pid " + PID + " counted " + COUNTED.get() + "\n"));
        server.createContext("/headers", exchange -> {
            StringBuilder text = new StringBuilder();
            new TreeMap<>(exchange.getRequestHeaders()).forEach((name, values) ->
                    values.forEach(value -> text.append(name.toLowerCase()).append(": ").append(value).append('\n')));
            respond(exchange, 200, text.toString());
        });
        server.createContext("/chunked", exchange -> {
            long lines = query(exchange, "lines", 100);
            exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
            exchange.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (long i = 0; i < lines; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    if (i % 100 == 0) {
                        out.flush();
                    }
                }
            }
        });
        server.createContext("/upload", exchange -> {
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = exchange.getRequestBody()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                }
            }
            respond(exchange, 200, "bytes " + total + "\n");
        });
        server.createContext("/empty", exchange -> {
            exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/not-modified", exchange -> {
            exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
            exchange.getResponseHeaders().set("ETag", "\"v1\"");
            exchange.sendResponseHeaders(304, -1);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(query(exchange, "ms", 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "slow done by pid " + PID + "\n");
        });
        server.createContext("/session", exchange -> {
            String id = sessionId(exchange.getRequestHeaders().get("Cookie"));
            AtomicInteger counter = id == null ? null : SESSIONS.get(id);
            if (counter == null) {
                id = UUID.randomUUID().toString().replace("-", "").toUpperCase();
                counter = new AtomicInteger();
                SESSIONS.put(id, counter);
                exchange.getResponseHeaders().add("Set-Cookie", "JSESSIONID=" + id + "; Path=/; HttpOnly");
            }
            respond(exchange, 200, "count " + counter.incrementAndGet() + "\n");
        });
        server.start();
        System.out.println("web probe listening on port " + port);
    }

    private static String sessionId(List<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return null;
        }
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                String trimmed = cookie.trim();
                if (trimmed.startsWith("JSESSIONID=")) {
                    return trimmed.substring("JSESSIONID=".length());
                }
            }
        }
        return null;
    }

    private static long query(HttpExchange exchange, String name, long fallback) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return Long.parseLong(pair.substring(name.length() + 1));
                }
            }
        }
        return fallback;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
