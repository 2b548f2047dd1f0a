package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcp mode: the app sees its real client's address and port as the peer of every connection, on every JDK server
 * API (HttpServer, ServerSocket, ServerSocketChannel with its socket() adaptor, AsynchronousServerSocketChannel),
 * exactly per connection when many connect at once; neither the parent's health probes nor clients that leave at
 * once are counted as connections whose client the workers could not find.
 *
 * <p>The client binds the machine's non-loopback address as its source and connects to 127.0.0.1, so its address
 * differs from the parent's. Runs on JDK 17 and 25: the accept methods hooked differ between them.
 */
@Timeout(240)
class ClientAddressIT {

    private static final Pattern FALLBACKS = Pattern.compile(
            "(?m)^jcluster_worker_client_address_fallbacks_total\\{[^}]*} ([0-9.eE+-]+)$");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void everyServerApiSeesTheClientsAddressAndPort(Jdk jdk) throws Exception {
        InetAddress source = nonLoopbackAddress();
        int http = FreePorts.tcp();
        int socket = FreePorts.tcp();
        int nio = FreePorts.tcp();
        int nio2 = FreePorts.tcp();
        int admin = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,health=tcp,health-interval=300ms,admin=127.0.0.1:" + admin)
                .mainClass("samples.peer.PeerServer")
                .args("--http", Integer.toString(http), "--socket", Integer.toString(socket), "--nio",
                        Integer.toString(nio), "--nio2", Integer.toString(nio2))
                .start()) {
            for (int port : List.of(http, socket, nio, nio2)) {
                cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            }
            cluster.awaitWorkers(2, STARTUP);
            ClusterProcess.sleep(1_000); // both workers in rotation

            List<String> wrong = new ArrayList<>();
            for (int port : List.of(http, socket, nio, nio2)) {
                Set<String> workers = new HashSet<>();
                for (int i = 0; i < 4; i++) { // round-robin: both workers answer
                    for (InetAddress from : List.of(source, InetAddress.getLoopbackAddress())) {
                        Seen seen = ask(from, port, port == http);
                        workers.add(seen.pid);
                        if (!seen.matches()) {
                            wrong.add(port + " " + seen);
                        }
                    }
                }
                assertEquals(2, workers.size(), "both workers answered on " + port + ": " + workers);
            }
            assertTrue(wrong.isEmpty(), "the app saw other peers than its clients (" + wrong.size() + "): "
                    + wrong.subList(0, Math.min(8, wrong.size())) + "\n" + cluster.describe());

            assertExactUnderConcurrency(source, socket, cluster);

            // clients that connect and reset at once (port scanners, a load balancer's TCP checks): the parent closes
            // the worker's connection, often before the app accepts it; that is no client gone missing
            for (int i = 0; i < 20; i++) {
                try (Socket client = new Socket()) {
                    client.bind(new InetSocketAddress(source, 0));
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket), 5_000);
                    client.setSoLinger(true, 0);
                }
            }

            // the probes (every 300 ms, to each of the 4 ports of both workers) ran meanwhile; workers report misses
            // within a second
            ClusterProcess.sleep(1_500);
            Admin.Reply metrics = new Admin(admin, null).get("/metrics");
            assertEquals(200, metrics.status(), metrics.body());
            Matcher fallbacks = FALLBACKS.matcher(metrics.body());
            int samples = 0;
            while (fallbacks.find()) {
                samples++;
                assertEquals(0.0, Double.parseDouble(fallbacks.group(1)), "a worker kept 127.0.0.1 for some"
                        + " connection (a health probe taken for a client?):\n" + metrics.body());
            }
            assertEquals(2, samples, metrics.body());
        }
    }

    /**
     * The app's own Netty on its native epoll transport, which accepts past the JDK: the child channel's
     * remoteAddress() is the client's (the same advice serves io_uring and kqueue; their hook differs only by name).
     * One JDK: the hook is in the app's Netty, not in the JDK.
     */
    @org.junit.jupiter.api.Test
    void aNettyEpollAppSeesTheClientsAddressAndPort() throws Exception {
        Assumptions.assumeTrue(Stack.NETTY_EPOLL.unsupportedHere() == null, Stack.NETTY_EPOLL.unsupportedHere());
        InetAddress source = nonLoopbackAddress();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17())
                .agentArgs("processes=2,strategy=round-robin,health-interval=300ms")
                .launch(Stack.NETTY_EPOLL.launch(port).toArray(String[]::new))
                .start()) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            cluster.awaitWorkers(2, STARTUP);
            ClusterProcess.sleep(1_000);
            List<String> wrong = new ArrayList<>();
            Set<String> workers = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                for (InetAddress from : List.of(source, InetAddress.getLoopbackAddress())) {
                    try (Socket client = new Socket()) {
                        client.setSoTimeout(10_000);
                        client.bind(new InetSocketAddress(from, 0));
                        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                        client.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                        Matcher peer = Pattern.compile("(?i)\nx-peer: ([^\r\n]+)").matcher(reply);
                        Matcher pid = Pattern.compile("(?i)\nx-pid: (\\d+)").matcher(reply);
                        String expected = client.getLocalAddress().getHostAddress() + " " + client.getLocalPort();
                        String seen = peer.find() ? peer.group(1) : "no X-Peer in " + reply;
                        workers.add(pid.find() ? pid.group(1) : "?");
                        if (!seen.equals(expected)) {
                            wrong.add("client " + expected + ", app saw " + seen);
                        }
                    }
                }
            }
            assertTrue(wrong.isEmpty(), "the Netty app saw other peers than its clients: " + wrong + "\n"
                    + cluster.describe());
            assertEquals(2, workers.size(), "both workers answered: " + workers);
        }
    }

    /** 8 clients at a time, 200 connections in all: each sees its own port, never a neighbour's. */
    private static void assertExactUnderConcurrency(InetAddress source, int port, ClusterProcess cluster)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                results.add(clients.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        Seen seen = ask(source, port, false);
                        if (!seen.matches()) {
                            wrong.add(seen.toString());
                        }
                    }
                    return wrong;
                }));
            }
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            for (Future<List<String>> result : results) {
                wrong.addAll(result.get(60, TimeUnit.SECONDS));
            }
            assertTrue(wrong.isEmpty(), "concurrent clients saw wrong peers: " + wrong + "\n" + cluster.describe());
        } finally {
            clients.shutdownNow();
        }
    }

    /** What the app answered ({@code <ip> <port> <pid>}) to a client bound to {@code from}. */
    private record Seen(String client, String answer, String pid) {
        boolean matches() {
            return answer.equals(client);
        }
    }

    private static Seen ask(InetAddress from, int port, boolean http) throws IOException {
        try (Socket client = new Socket()) {
            client.setSoTimeout(10_000);
            client.bind(new InetSocketAddress(from, 0));
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            if (http) {
                client.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            String[] lines = reply.split("\r?\n");
            String[] words = lines[lines.length - 1].split(" ");
            String expected = client.getLocalAddress().getHostAddress() + " " + client.getLocalPort();
            if (words.length != 3) {
                return new Seen(expected, lines[lines.length - 1], "?");
            }
            return new Seen(expected, words[0] + " " + words[1], words[2]);
        }
    }

    /** An IPv4 address of this machine that is not loopback (a client can bind it and still reach 127.0.0.1). */
    static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!network.isUp() || network.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        System.err.println("ClientAddressIT SKIPPED: this machine has no non-loopback IPv4 address to use as a"
                + " client's source address");
        Assumptions.abort("no non-loopback IPv4 address on this machine");
        return null;
    }
}
