package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which sockets jcluster clusters and which it leaves alone: two HTTP ports and a blocking echo
 * port are balanced; a port-0 ServerSocket, a UDP socket, a unix-domain server and an outgoing
 * client socket are untouched. The echo port also checks half-close through the proxy.
 */
@Timeout(180)
class PortsIT {

    private static final Pattern LISTENING = Pattern.compile("^\\[jcluster\\] listening on ([^ ]+):(\\d+) -> ");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void clustersServerPortsAndLeavesOtherSocketsAlone(Jdk jdk) throws Exception {
        int httpA = FreePorts.tcp();
        int httpB = FreePorts.tcp();
        int echo = FreePorts.tcp();
        int udp = FreePorts.udpPair();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin")
                .mainClass("samples.probe.ProbeServer")
                .args("--http", Integer.toString(httpA), "--http", Integer.toString(httpB), "--zero",
                        "--udp", Integer.toString(udp), "--unix", dir.toString(), "--echo", Integer.toString(echo))
                .start()) {
            cluster.awaitListening("0.0.0.0:" + httpA, STARTUP);
            cluster.awaitListening("0.0.0.0:" + httpB, STARTUP);
            cluster.awaitListening("0.0.0.0:" + echo, STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            cluster.awaitLine("^\\[w0\\] probe ready", STARTUP);
            cluster.awaitLine("^\\[w1\\] probe ready", STARTUP);

            // both HTTP ports are balanced over both workers
            Set<Long> workerPids = Set.copyOf(workers.values());
            assertEquals(workerPids, cluster.awaitAnswering(httpA, 2, STARTUP), cluster.describe());
            assertEquals(workerPids, cluster.awaitAnswering(httpB, 2, STARTUP), cluster.describe());
            for (int i = 0; i < 4; i++) {
                assertTrue(Http.fresh(httpA, "/").body().endsWith(" port " + httpA + "\n"));
                assertTrue(Http.fresh(httpB, "/").body().endsWith(" port " + httpB + "\n"));
            }

            // /info of each worker: port 0, UDP and unix sockets kept their real addresses
            Map<Long, String> infoByPid = new HashMap<>();
            for (int i = 0; i < 20 && infoByPid.size() < 2; i++) {
                Http.Response response = Http.fresh(httpA, "/info");
                assertEquals(200, response.status(), response.toString());
                infoByPid.put(response.pid(), response.body());
            }
            assertEquals(workerPids, infoByPid.keySet(), "/info from both workers");
            Set<Integer> zeroPorts = new TreeSet<>();
            for (Map.Entry<Integer, Long> worker : workers.entrySet()) {
                int id = worker.getKey();
                String info = infoByPid.get(worker.getValue());
                String zero = value(info, "zero");
                assertTrue(isWildcard(zero), "ServerSocket(0) is not rewritten to loopback (worker " + id + "): " + info);
                int zeroPort = portOf(zero);
                assertTrue(zeroPort > 0, info);
                zeroPorts.add(zeroPort);
                String datagram = value(info, "udp");
                assertTrue(isWildcard(datagram) && portOf(datagram) == udp + id,
                        "UDP keeps its address and port " + (udp + id) + " (worker " + id + "): " + info);
                assertEquals(dir.resolve("probe-" + id + ".sock").toString(), value(info, "unix"));
            }

            // UDP: each worker's datagram socket answers on its real port
            for (int id = 0; id < 2; id++) {
                assertEquals("ping " + id, udpEcho(udp + id, "ping " + id), "UDP echo from worker " + id);
            }

            // unix-domain servers answer
            for (int id = 0; id < 2; id++) {
                assertEquals("unix ok\n", readUnix(dir.resolve("probe-" + id + ".sock")), "unix socket of worker " + id);
            }

            // outgoing client sockets are untouched
            try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                target.setSoTimeout(10_000);
                for (int i = 0; i < 2; i++) {
                    CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> acceptOneLine(target));
                    Http.Response response = Http.fresh(httpA, "/connect?port=" + target.getLocalPort());
                    assertEquals(200, response.status(), response.toString());
                    assertEquals("connected\n", response.body());
                    assertEquals("probe", received.get(10, TimeUnit.SECONDS), "the test's server got the probe's bytes");
                }
            }

            // half-close through the balancer: the server answers only after the client's EOF
            for (int i = 0; i < 4; i++) {
                byte[] payload = ("hello" + (i == 0 ? "" : "-" + i)).getBytes(StandardCharsets.UTF_8);
                assertEquals("echo:" + new String(payload, StandardCharsets.UTF_8),
                        new String(echoAfterHalfClose(echo, payload), StandardCharsets.UTF_8),
                        "echo " + i + " through the balancer after shutdownOutput()\n" + cluster.describe());
            }
            byte[] big = new byte[512 * 1024];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31 + 7);
            }
            byte[] bigEcho = echoAfterHalfClose(echo, big);
            byte[] expected = new byte[5 + big.length];
            System.arraycopy("echo:".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 5);
            System.arraycopy(big, 0, expected, 5, big.length);
            assertArrayEquals(expected, bigEcho, "512 KiB echoed intact after half-close (got " + bigEcho.length + " bytes)");

            // the parent listened on exactly the three clustered ports: not UDP, not port 0, not unix
            ClusterProcess.sleep(500);
            Set<Integer> listened = new TreeSet<>();
            for (String line : cluster.output()) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    listened.add(Integer.parseInt(matcher.group(2)));
                }
            }
            assertEquals(new TreeSet<>(Set.of(httpA, httpB, echo)), listened,
                    "listening lines (zero ports " + zeroPorts + ", udp " + udp + "/" + (udp + 1) + ")\n" + cluster.describe());
            for (int zeroPort : zeroPorts) {
                assertFalse(listened.contains(zeroPort));
            }
        }
    }

    /** "0.0.0.0/0.0.0.0:P" (IPv4 any) or "/[0:0:0:0:0:0:0:0]:P" (IPv6 any, e.g. a DatagramSocket's). */
    private static boolean isWildcard(String socketAddress) {
        return socketAddress.startsWith("0.0.0.0/0.0.0.0:") || socketAddress.startsWith("/0.0.0.0:")
                || socketAddress.startsWith("/[0:0:0:0:0:0:0:0]:") || socketAddress.startsWith("/[::]:");
    }

    private static int portOf(String socketAddress) {
        return Integer.parseInt(socketAddress.substring(socketAddress.lastIndexOf(':') + 1));
    }

    private static String value(String info, String key) {
        for (String line : info.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + "= line in /info: " + info);
    }

    private static String udpEcho(int port, String message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                try {
                    socket.receive(reply);
                    return new String(reply.getData(), reply.getOffset(), reply.getLength(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    last = e;
                }
            }
            throw new AssertionError("no UDP echo from 127.0.0.1:" + port + " after 5 tries: " + last);
        }
    }

    private static String readUnix(Path path) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return Channels.newInputStream(channel).readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return new String(read.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        }
    }

    private static String acceptOneLine(ServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(10_000);
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static byte[] echoAfterHalfClose(int port, byte[] payload) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) Duration.ofSeconds(15).toMillis());
            socket.getOutputStream().write(payload);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return socket.getInputStream().readAllBytes();
        }
    }
}
