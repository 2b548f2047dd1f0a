package io.jcluster.agent.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin commands against a loopback stand-in for the admin endpoint, which records what it was sent. */
class AdminCommandTest {

    private HttpServer admin;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        admin.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + "?"
                    + exchange.getRequestURI().getRawQuery() + " " + exchange.getRequestHeaders()
                    .getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            byte[] body = "purged 2 cached response(s)\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(body);
            }
        });
        admin.start();
    }

    @AfterEach
    void stop() {
        admin.stop(0);
    }

    private int run(String... args) {
        return AdminCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String adminAddress() {
        return "127.0.0.1:" + admin.getAddress().getPort();
    }

    @Test
    void cachePurgePostsThePathEncoded() {
        assertEquals(0, run("cache", "purge", "/a b/c%20d", "--admin", adminAddress(), "--token", "secret"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("POST /cache/purge?path=%2Fa+b%2Fc%2520d Bearer secret"), requests);
        assertEquals("purged 2 cached response(s)\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cachePurgeWithPrefixPostsAPrefix() {
        assertEquals(0, run("cache", "purge", "--prefix", "/static/", "--admin", adminAddress()));
        assertEquals(List.of("POST /cache/purge?prefix=%2Fstatic%2F null"), requests);
    }

    @Test
    void cachePurgeWithoutAPathIsAUsageError() {
        assertEquals(2, run("cache", "purge", "--admin", adminAddress()));
        assertEquals(2, run("cache", "purge", "static", "--admin", adminAddress()));
        assertEquals(2, run("cache", "flush", "/x", "--admin", adminAddress()));
        assertEquals(2, run("status", "--prefix", "--admin", adminAddress()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cache purge PATH [--prefix]"), err.toString());
        assertEquals(List.of(), requests, "nothing is sent on bad usage");
    }

    @Test
    void theUsageNamesCachePurge() {
        ByteArrayOutputStream usage = new ByteArrayOutputStream();
        Cli.usage(new PrintStream(usage, true, StandardCharsets.UTF_8));
        assertTrue(usage.toString(StandardCharsets.UTF_8).contains("jcluster.jar cache purge PATH [--prefix]"));
    }
}
