package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar jcluster.jar balance --proxy-protocol v1|v2}: each backend connection starts with a PROXY header
 * naming its client, read by a backend that answers every request with the client its connection's header named
 * (samples.proxyprotocol.ProxyProtocolServer, which refuses a connection without a header). Clients connect from
 * two source addresses (127.0.0.1 and this machine's non-loopback address), so a header naming the wrong client, or
 * (http mode) a backend connection lent to another client connection, shows as a wrong address or port. The
 * balancer's behaviour here does not depend on the JDK: JDK 17 only.
 */
@Timeout(180)
class ProxyProtocolIT {

    @ParameterizedTest(name = "{0}, {1} mode")
    @CsvSource({"v1, tcp", "v2, tcp", "v1, http", "v2, http"})
    void eachBackendConnectionNamesItsOwnClient(String version, String mode) throws Exception {
        InetAddress other = ClientSources.nonLoopback();
        int port = FreePorts.tcp();
        int first = FreePorts.tcp();
        int second = FreePorts.tcp();
        try (ClusterProcess a = backend(first); ClusterProcess b = backend(second);
             ClusterProcess balancer = balancer(port, mode, version, first, second)) {
            for (InetAddress source : List.of(other, ClientSources.loopback(), other, ClientSources.loopback())) {
                Http.Exchange exchange = Http.freshFrom(source, port, "/peer");
                assertEquals(ClientSources.text(exchange.client()), ClientSources.peer(exchange.response()),
                        "a new connection: the header names the client's address and port\n" + balancer.describe());
            }
            if (mode.equals("http")) {
                // two keep-alive clients in turn, each request to the next backend (round-robin): every backend
                // connection a client's requests travel on was opened for that client
                try (Http.KeepAlive fromOther = Http.keepAliveFrom(other, port);
                     Http.KeepAlive fromLoopback = Http.keepAliveFrom(ClientSources.loopback(), port)) {
                    List<Long> pids = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        for (Http.KeepAlive connection : List.of(fromOther, fromLoopback)) {
                            Http.Response response = connection.get("/peer");
                            pids.add(response.pid());
                            assertEquals(ClientSources.text(connection.client()), ClientSources.peer(response),
                                    "request " + i + " on a keep-alive connection\n" + balancer.describe());
                        }
                    }
                    assertTrue(pids.contains(a.pid()) && pids.contains(b.pid()), "both backends served: " + pids);
                }
            }
            assertTrue(a.output().stream().noneMatch(line -> line.startsWith("refused"))
                            && b.output().stream().noneMatch(line -> line.startsWith("refused")),
                    "every backend connection started with a valid header");
        }
    }

    /**
     * Acceptance: 50 keep-alive clients, half from each source address, for 5 s through the http mode balancer;
     * every response names the very connection that carried its request.
     */
    @Test
    void httpModeUnderMixedLoadNeverCarriesTwoClientsOnOneBackendConnection() throws Exception {
        InetAddress other = ClientSources.nonLoopback();
        int port = FreePorts.tcp();
        int first = FreePorts.tcp();
        int second = FreePorts.tcp();
        try (ClusterProcess a = backend(first); ClusterProcess b = backend(second);
             ClusterProcess balancer = balancer(port, "http", "v2", first, second)) {
            PeerLoad.Result result = PeerLoad.run(port, Map.of(other, 25, ClientSources.loopback(), 25),
                    Duration.ofSeconds(5));
            System.out.println("[it] mixed load through the standalone balancer (proxy-protocol=v2): " + result);
            assertEquals(0, result.mismatched(), result + "\n" + balancer.describe());
            assertEquals(0, result.errors(), result + "\n" + balancer.describe());
            assertTrue(result.matched().get(other.getHostAddress()) > 0
                    && result.matched().get(ClientSources.loopback().getHostAddress()) > 0, result.toString());
        }
    }

    private static ClusterProcess balancer(int port, String mode, String version, int... backends) throws IOException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:" + port, "--mode", mode,
                "--strategy", "round-robin", "--proxy-protocol", version));
        for (int backend : backends) {
            args.add("--backend");
            args.add("127.0.0.1:" + backend);
        }
        ClusterProcess balancer = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                .launch("-jar", AgentSnapshot.path().toString(), "balance").args(args.toArray(String[]::new)).start();
        try {
            balancer.awaitLine("^\\[jcluster\\] balancing 127\\.0\\.0\\.1:" + port + " -> .*, proxy-protocol=" + version
                    + "\\)$", STARTUP);
        } catch (AssertionError | RuntimeException e) {
            balancer.close();
            throw e;
        }
        return balancer;
    }

    /** A plain ProxyProtocolServer JVM (no agent) on {@code port}, listening when this returns. */
    private static ClusterProcess backend(int port) throws IOException {
        ClusterProcess server = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                .mainClass("samples.proxyprotocol.ProxyProtocolServer").args(Integer.toString(port)).start();
        try {
            server.awaitLine(line -> line.equals("proxy protocol server listening on port " + port),
                    "'proxy protocol server listening'", STARTUP);
        } catch (AssertionError | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }
}
