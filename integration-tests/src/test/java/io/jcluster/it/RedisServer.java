package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (the Debian package's /usr/bin/redis-server) for the store=redis tests, on a free port of
 * 127.0.0.1, without persistence, killed by pid on close (and by a shutdown hook if the test JVM exits first). When
 * the binary is missing the test is ABORTED (reported as skipped) with a loud line on stderr, never a silent pass.
 */
final class RedisServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final Process process;
    private final int port;
    private final Path output;
    private final Thread reaper;

    private RedisServer(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
        this.reaper = new Thread(process::destroyForcibly, "redis-reaper-" + process.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts one in {@code dir} (its output goes to dir/redis.log) and waits until it answers PING. */
    static RedisServer start(Path dir) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            String why = BINARY + " is missing: install the Debian package redis-server (.ci/run does) to run the"
                    + " store=redis tests";
            System.err.println("!!!!! [it] SKIPPED: " + why);
            Assumptions.abort(why);
        }
        int port = FreePorts.tcp();
        Path output = dir.resolve("redis-" + port + ".log");
        List<String> command = List.of(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--loglevel", "notice");
        System.out.println("[it] launching: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        RedisServer server = new RedisServer(process, port, output);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!server.answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.exists(output) ? Files.readString(output) : "(no output)";
                server.close();
                throw new AssertionError("redis-server on 127.0.0.1:" + port + " did not answer PING within 15 s"
                        + " (alive: " + process.isAlive() + "); its output:\n" + log);
            }
            ClusterProcess.sleep(50);
        }
        return server;
    }

    /** The store option's value: {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL by pid, and wait for it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                System.err.println("!!!!! [it] redis-server pid " + process.pid() + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    @Override
    public String toString() {
        return "redis-server pid " + process.pid() + " on 127.0.0.1:" + port + " (log " + output + ")";
    }
}
