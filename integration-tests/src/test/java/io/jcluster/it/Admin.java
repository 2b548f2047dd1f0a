package io.jcluster.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Talks to a cluster's admin endpoint over HTTP, and runs the CLI ({@code java -jar jcluster.jar ...}). */
final class Admin {

    record Reply(int status, String body) {
    }

    record CliRun(int exitStatus, String stdout, String stderr) {
    }

    private final int port;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Admin(int port, String token) {
        this.port = port;
        this.token = token;
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(builder(path).GET());
    }

    /** Operations answer when done: a reload of several workers takes a while. */
    Reply post(String path) throws IOException, InterruptedException {
        return send(builder(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMinutes(3));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /** The worker states in GET /status, in order, e.g. [ready, ready]. */
    List<String> states() throws IOException, InterruptedException {
        Reply status = get("/status");
        if (status.status() != 200) {
            throw new AssertionError("GET /status: " + status);
        }
        List<String> states = new ArrayList<>();
        Matcher matcher = Pattern.compile("\"state\":\"([a-z-]+)\"").matcher(status.body());
        while (matcher.find()) {
            states.add(matcher.group(1));
        }
        return states;
    }

    /** Waits until /status lists exactly {@code count} workers, all ready (each in rotation). */
    void awaitAllReady(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> states = states();
        while (states.size() != count || !states.stream().allMatch("ready"::equals)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + count + " ready workers within " + timeout + ": " + states);
            }
            TimeUnit.MILLISECONDS.sleep(100);
            states = states();
        }
    }

    /** {@code java -jar jcluster.jar args...} on {@code jdk}; killed (by pid) if it runs longer than 2 minutes. */
    static CliRun cli(Jdk jdk, String... args) throws IOException, InterruptedException {
        jdk.requireInstalled();
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", AgentSnapshot.path().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JCLUSTER_ADMIN_TOKEN");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                throw new AssertionError("CLI " + command + " still running after 2 minutes");
            }
            return new CliRun(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
