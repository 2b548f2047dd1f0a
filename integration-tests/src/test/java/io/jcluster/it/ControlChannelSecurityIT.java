package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Only the parent's own workers may speak on the control channel. A stranger who found the
 * socket (here: read from a worker's /proc/PID/environ, tests run as root) and tries to make the
 * parent listen on a port and forward it somewhere, or to use the Cluster API, is disconnected,
 * and nothing listens. The strangers speak the framed protocol correctly: what refuses them is the
 * secret and identity check, which the parent's log names.
 */
@Timeout(180)
class ControlChannelSecurityIT {

    /**
     * On {@link Jdk#both()}: the control channel is the JDK's own unix-domain socket API in the parent and in the
     * workers, so each JDK; the third variant differs only in the balancer's transport, which is not in play.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void strangersAreDisconnectedAndCannotOpenListeners(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,strategy=round-robin")) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());

            Map<String, String> env = environ(workers.get(0));
            assertEquals("0", env.get("JCLUSTER_WORKER_ID"));
            assertEquals("2", env.get("JCLUSTER_WORKERS"));
            String control = env.get("JCLUSTER_CONTROL");
            String secret = env.get("JCLUSTER_SECRET");
            assertNotNull(control, "JCLUSTER_CONTROL in the worker's environment: " + env.keySet());
            assertNotNull(secret, "JCLUSTER_SECRET in the worker's environment");
            Path socket = Path.of(control.startsWith("unix:") ? control.substring("unix:".length()) : control);
            assertTrue(Files.exists(socket), "JCLUSTER_CONTROL names an existing unix socket: " + control);
            assertTrue(!secret.isBlank() && secret.length() >= 16, "the secret is not trivially short: length " + secret.length());

            // each stranger speaks the protocol correctly (length-prefixed frames), so what refuses it is the
            // parent's check of who is speaking, named in its log, not a framing error
            String wrongSecret = "control channel: refused a connection with a wrong secret";
            String notOurs = "control channel: refused worker ";
            String noHello = "control channel: refused a connection that did not start with hello";
            List<Stranger> strangers = List.of(
                    new Stranger("hello 0 999999 wrongsecret", null, wrongSecret),
                    new Stranger("hello 0 999999 " + secret, null, notOurs + "0 pid 999999"),  // worker 0 is connected
                    new Stranger("hello 0 " + workers.get(0) + " " + secret, clusterFrame(),  // its very identity
                            notOurs + "0 pid " + workers.get(0)),
                    new Stranger("hello 2 999999 " + secret, null, notOurs + "2 pid 999999"),  // id == processes
                    new Stranger("hello 99 999999 " + secret, null, notOurs + "99 pid 999999"),
                    new Stranger(null, null, noHello),                                          // no hello at all
                    new Stranger(null, clusterFrame(), noHello),                       // a Cluster API frame first
                    new Stranger("hello 1 999998 wrongsecret", clusterFrame(), wrongSecret));
            List<ServerSocket> targets = new ArrayList<>();
            Map<Integer, String> stolenPorts = new LinkedHashMap<>(); // the port each stranger asked for -> who
            try {
                for (Stranger stranger : strangers) {
                    ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                    targets.add(target);
                    int stolenPort = FreePorts.tcp();
                    stolenPorts.put(stolenPort, strangerIsRefused(cluster, socket, stranger, stolenPort, target));
                }
                // a listener the parent opened for any of them would be up within a second: one wait for all
                ClusterProcess.sleep(1000);
                stolenPorts.forEach((stolenPort, what) -> nothingListens(cluster, stolenPort, what));
            } finally {
                for (ServerSocket target : targets) {
                    target.close();
                }
            }
            assertTrue(cluster.output().stream().noneMatch(line -> line.contains("malformed")),
                    "every stranger was refused for who it is, not for how it spoke\n" + cluster.describe());

            // the real workers were not disturbed
            assertEquals(workers, cluster.startedWorkers(), "no worker restarted\n" + cluster.describe());
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());
        }
    }

    /** A hello line (null: none), then optionally a Cluster API frame, then a 'bound' line asking for a listener. */
    private record Stranger(String hello, byte[] clusterFrame, String refusal) {
    }

    /**
     * Plays {@code stranger} on the control socket, asking for a listener on {@code stolenPort} forwarding to
     * {@code target}; checks that the parent hangs up and logs why. Returns how to name the stranger.
     */
    private static String strangerIsRefused(ClusterProcess cluster, Path socket, Stranger stranger, int stolenPort,
                                            ServerSocket target) throws Exception {
        String what = (stranger.hello() == null ? "'bound' without hello" : "'" + stranger.hello()
                .replaceAll("\\S{16,}", "<secret>") + "'") + (stranger.clusterFrame() == null ? "" : " + cluster frame");
        long refusalsBefore = cluster.output().stream().filter(line -> line.contains(stranger.refusal())).count();
        ByteArrayOutputStream script = new ByteArrayOutputStream();
        if (stranger.hello() != null) {
            script.write(textFrame(stranger.hello()));
        }
        if (stranger.clusterFrame() != null) {
            script.write(stranger.clusterFrame());
        }
        script.write(textFrame("bound 0.0.0.0 " + stolenPort + " " + target.getLocalPort()));
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            try {
                channel.write(ByteBuffer.wrap(script.toByteArray()));
            } catch (IOException e) {
                // already closed by the parent: fine, that is the point
            }
            String reply = readUntilEof(channel, 5000);
            if (reply == null) {
                fail("stranger " + what + ": the parent kept the connection open for 5 s\n" + cluster.describe());
            }
        }
        cluster.await(() -> cluster.output().stream().filter(line -> line.contains(stranger.refusal())).count()
                > refusalsBefore, "the parent logs why it refused stranger " + what + ": " + stranger.refusal(),
                Duration.ofSeconds(10));
        return what;
    }

    private static void nothingListens(ClusterProcess cluster, int stolenPort, String what) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", stolenPort), 2000);
            fail("stranger " + what + ": something listens on port " + stolenPort + " now\n" + cluster.describe());
        } catch (ConnectException expected) {
            // refused: nothing listens
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(cluster.output().stream()
                        .noneMatch(line -> line.contains("listening on 0.0.0.0:" + stolenPort + " ")),
                "stranger " + what + ": the parent printed a listening line\n" + cluster.describe());
    }

    /** A text message as the control channel frames it: 4-byte length of what follows, kind 0, UTF-8 text. */
    private static byte[] textFrame(String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + text.length).putInt(1 + text.length).put((byte) 0).put(text).array();
    }

    /** A well-formed Cluster API frame (kind 1): MapPut id 1, map "m", key "k", value "v", no ttl. */
    private static byte[] clusterFrame() {
        ByteBuffer body = ByteBuffer.allocate(1 + 8 + 3 + 3 + 5 + 8).put((byte) 11).putLong(1)
                .putShort((short) 1).put((byte) 'm').putShort((short) 1).put((byte) 'k').putInt(1).put((byte) 'v')
                .putLong(0);
        return ByteBuffer.allocate(5 + body.capacity()).putInt(1 + body.capacity()).put((byte) 1).put(body.array())
                .array();
    }

    /** Reads until EOF (or a reset); returns what was read, or null when no EOF came within the timeout. */
    private static String readUntilEof(SocketChannel channel, long timeoutMillis) throws IOException {
        channel.configureBlocking(false);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                selector.select(left);
                selector.selectedKeys().clear();
                buffer.clear();
                int read;
                try {
                    read = channel.read(buffer);
                } catch (IOException reset) {
                    return received.toString(StandardCharsets.UTF_8);
                }
                if (read < 0) {
                    return received.toString(StandardCharsets.UTF_8);
                }
                received.write(buffer.array(), 0, read);
            }
        }
    }

    static Map<String, String> environ(long pid) throws IOException {
        byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        Map<String, String> env = new HashMap<>();
        for (String entry : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return env;
    }
}
