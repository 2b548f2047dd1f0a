package io.jcluster.agent.cluster.redis;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests, on a free port of 127.0.0.1, with nothing saved to disk
 * ({@code --save '' --appendonly no}). {@link #stop} kills it by its pid (SIGKILL: a crash, as far as clients can
 * tell); {@link #start} brings it back on the same port. Close it in {@code @AfterEach}/{@code @AfterAll}: the
 * process is killed even when a test failed.
 *
 * <p>When {@code redis-server} is not installed ({@code .ci/run} installs it: Debian's {@code redis-server}), the test
 * is SKIPPED, loudly: the reason goes to stderr and to the test report, never a silent pass.
 */
public final class RedisServer implements AutoCloseable {

    private static final String BINARY_PROPERTY = "jcluster.test.redis-server";

    private final String binary;
    private final int port;
    private final String password;
    private final Path log;
    private int tlsPort;
    private Path tlsDir;
    private Process process;
    private boolean killAtExit;

    private RedisServer(String binary, int port, String password) throws IOException {
        this.binary = binary;
        this.port = port;
        this.password = password;
        this.log = Files.createTempFile("jcluster-redis-" + port + "-", ".log");
    }

    /**
     * One that also speaks TLS on {@link #tlsPort} with a self-signed certificate for 127.0.0.1 ({@link #certificate},
     * made with openssl; skipped loudly without it). The plain port stays for {@link #command}.
     */
    public static RedisServer startTls() throws IOException, InterruptedException {
        RedisServer server = reserve(null);
        Path dir = Files.createTempDirectory("jcluster-redis-tls");
        Process openssl;
        try {
            openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (IOException e) {
            String reason = "SKIPPED: openssl is not installed, so no certificate for the rediss:// test: " + e;
            System.err.println("#".repeat(100) + "\n" + reason + "\n" + "#".repeat(100));
            Assumptions.abort(reason);
            throw e;
        }
        if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IOException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
        }
        server.tlsDir = dir;
        server.tlsPort = freePort();
        server.restart();
        return server;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** The server's self-signed certificate (PEM): the one thing a client must trust. */
    public File certificate() {
        return tlsDir.resolve("cert.pem").toFile();
    }

    /** Starts one (or skips the calling test, loudly, when redis-server is missing). */
    public static RedisServer start() throws IOException {
        return start(null);
    }

    /** @param password {@code --requirepass}, or null for none */
    public static RedisServer start(String password) throws IOException {
        RedisServer server = reserve(password);
        server.restart();
        return server;
    }

    /** A port for a server that is not started yet ({@link #restart} starts it): for "Redis down at start". */
    public static RedisServer reserve(String password) throws IOException {
        String binary = find();
        if (binary == null) {
            String reason = "SKIPPED: redis-server is not installed (apt-get install redis-server; .ci/run does it),"
                    + " so the store=redis tests cannot run";
            System.err.println("#".repeat(100));
            System.err.println(reason);
            System.err.println("#".repeat(100));
            Assumptions.abort(reason);
        }
        return new RedisServer(binary, freePort(), password);
    }

    /** redis-server on the PATH, or where -Djcluster.test.redis-server says. */
    static String find() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && new File(configured).canExecute()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(File.pathSeparator)) {
            File candidate = new File(dir, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        File debian = new File("/usr/bin/redis-server");
        return debian.canExecute() ? debian.getPath() : null;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public long pid() {
        return process.pid();
    }

    /** Starts it again on its port (after {@link #stop}, or the first time after {@link #reserve}); waits until it answers PING. */
    public synchronized void restart() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        if (tlsDir != null) {
            command.addAll(List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
                    tlsDir.resolve("cert.pem").toString(), "--tls-key-file", tlsDir.resolve("key.pem").toString(),
                    "--tls-ca-cert-file", tlsDir.resolve("cert.pem").toString(), "--tls-auth-clients", "no"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!killAtExit) {
            // a test JVM that ends without running close() (killed, or a fixture that threw) leaves no server behind
            Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "redis-server-" + port + "-kill"));
            killAtExit = true;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " exited with " + process.exitValue()
                        + ": " + Files.readString(log));
            }
            if (answers()) {
                return;
            }
            sleep(20);
        }
        stop();
        throw new IOException("redis-server on port " + port + " did not answer within 10s: " + Files.readString(log));
    }

    /** Kills it (SIGKILL, by pid) and waits until it is gone: clients see the connection reset. */
    public synchronized void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** One command in RESP, for tests that look at keys behind the store's back; returns the raw reply line(s). */
    public String command(String... arguments) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder();
            if (password != null) {
                request.append("*2\r\n$4\r\nAUTH\r\n$").append(password.length()).append("\r\n").append(password)
                        .append("\r\n");
            }
            request.append('*').append(arguments.length).append("\r\n");
            for (String argument : arguments) {
                byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            if (password != null) {
                readLine(in);
            }
            String first = readLine(in);
            if (first.startsWith("$") && !first.equals("$-1")) {
                return readLine(in);
            }
            return first;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\r') {
                in.read();
                break;
            }
            line.append((char) b);
        }
        return line.toString();
    }

    private boolean answers() {
        try {
            String reply = command("PING");
            return reply.equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(log);
            if (tlsDir != null) {
                for (String file : List.of("key.pem", "cert.pem", "openssl.log")) {
                    Files.deleteIfExists(tlsDir.resolve(file));
                }
                Files.deleteIfExists(tlsDir);
            }
        } catch (IOException e) {
            // temp files
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
