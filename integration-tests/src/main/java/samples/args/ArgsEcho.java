package samples.args;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves its own command-line arguments, so a test can check that every argument reaches the
 * workers byte for byte. {@code args[0]} is the port; {@code GET /args} answers all arguments
 * (the port included) joined by {@code '|'}, {@code GET /} answers the pid.
 */
public final class ArgsEcho {

    private ArgsEcho() {
    }

    public static void main(String[] args) throws IOException {
        long pid = ProcessHandle.current().pid();
        String joined = String.join("|", args);
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = path.equals("/args") ? joined : "pid " + pid + "\n";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("X-Pid", Long.toString(pid));
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        System.out.println("args echo listening on port " + args[0]);
    }
}
