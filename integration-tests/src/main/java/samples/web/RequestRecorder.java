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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An app on the JDK's HttpServer that records every request it is handed, so a test can tell what reached the app
 * behind the balancer (a smuggled request, say). Every response carries X-Pid.
 *
 * <pre>
 *   /seen       the requests seen so far, one line each: "METHOD target body N" (N bytes of body read), or
 *               "METHOD target body-error" when the body ended early (its connection closed)
 *   anything    reads the whole body, then answers "METHOD target", the request headers as the app saw them
 *               ("name: value", lower-case, sorted) and "body N"
 * </pre>
 */
public final class RequestRecorder {

    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private RequestRecorder() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/seen", exchange -> respond(exchange, String.join("\n", SEEN) + "\n"));
        server.createContext("/", RequestRecorder::record);
        server.start();
        System.out.println("request recorder listening on port " + port);
    }

    private static void record(HttpExchange exchange) throws IOException {
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        long length = 0;
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                length += n;
            }
        } catch (IOException ended) {
            SEEN.add(request + " body-error");
            exchange.close();
            return;
        }
        SEEN.add(request + " body " + length);
        StringBuilder text = new StringBuilder(request).append('\n');
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(exchange.getRequestHeaders());
        headers.forEach((name, values) -> values.forEach(value ->
                text.append(name.toLowerCase()).append(": ").append(value).append('\n')));
        respond(exchange, text.append("body ").append(length).append('\n').toString());
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", PID);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
