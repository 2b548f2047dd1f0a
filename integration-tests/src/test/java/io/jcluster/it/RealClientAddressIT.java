package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app sees its real clients: for every socket a worker accepts through jcluster, the peer address and port the
 * app's own API reports (JDK HttpServer's getRemoteAddress, Socket#getInetAddress/getPort, Tomcat's
 * getRemoteAddr/getRemotePort, Jetty's Request.getRemoteAddr/getRemotePort, Undertow's getSourceAddress, Netty's
 * channel.remoteAddress on NIO and epoll) are those of the client's own socket, not the parent's.
 *
 * <p>Clients connect to 127.0.0.1 from two source addresses: 127.0.0.1 and this machine's non-loopback address
 * ({@link ClientSources}), so a proxy's address (always 127.0.0.1) cannot pass for the client's. tcp mode: exact per
 * connection. http mode: exact per request; the port is that of the client connection that carried the request
 * (a backend connection carries the requests of one client connection only). Each cell is one 2-worker cluster
 * (round-robin, so http mode spreads one keep-alive client over both workers) checked several ways; cells run two
 * at a time.
 */
@Timeout(180)
class RealClientAddressIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    /**
     * The stacks of the issue (Tomcat with its default NIO connector; Vert.x, Spring Boot and Javalin accept as Netty,
     * Tomcat and Jetty do).
     */
    private static final List<Stack> STACKS = List.of(Stack.JDK_HTTP_SERVER, Stack.BLOCKING_SERVER_SOCKET, Stack.TOMCAT_NIO,
            Stack.JETTY, Stack.UNDERTOW, Stack.NETTY_NIO, Stack.NETTY_EPOLL);

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Stack stack : STACKS) {
            for (Jdk jdk : List.of(Jdk.jdk17(), Jdk.temurin25())) {
                for (String mode : List.of("tcp", "http")) {
                    cells.add(Arguments.of(stack, jdk, mode));
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} on {1}, {2} mode")
    @MethodSource("cells")
    @Execution(ExecutionMode.CONCURRENT)
    void theAppSeesTheAddressAndPortOfTheClientsOwnSocket(Stack stack, Jdk jdk, String mode) throws Exception {
        String unsupported = stack.unsupportedHere();
        if (unsupported != null) {
            System.err.println("\n!!!!! " + stack + " on " + jdk + " skipped: " + unsupported + " !!!!!\n");
            Assumptions.abort(unsupported);
        }
        InetAddress other = ClientSources.nonLoopback();
        InetAddress loopback = ClientSources.loopback();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin,mode=" + mode)
                .launch(stack.launch(port).toArray(String[]::new)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitLine("^\\[jcluster\\] listening on \\S+:" + port + " -> 2 workers", STARTUP);
            Set<Long> workers = cluster.awaitAnswering(port, 2, STARTUP);

            // new connections, one request each, from either source: both workers get some
            for (InetAddress source : List.of(other, loopback, other, loopback)) {
                Http.Exchange exchange = Http.freshFrom(source, port, "/peer");
                assertEquals(ClientSources.text(exchange.client()), ClientSources.peer(exchange.response()),
                        "a new connection from " + source.getHostAddress() + "\n" + cluster.describe());
            }

            // keep-alive connections from both sources in turn (the blocking sample closes after each response,
            // so in tcp mode, where its close reaches the client, it has none)
            if (!(stack == Stack.BLOCKING_SERVER_SOCKET && mode.equals("tcp"))) {
                Set<Long> answeredBy = new java.util.HashSet<>();
                try (Http.KeepAlive fromOther = Http.keepAliveFrom(other, port);
                     Http.KeepAlive fromLoopback = Http.keepAliveFrom(loopback, port)) {
                    for (int i = 0; i < 4; i++) {
                        for (Http.KeepAlive connection : List.of(fromOther, fromLoopback)) {
                            Http.Response response = connection.get("/peer");
                            answeredBy.add(response.pid());
                            assertEquals(ClientSources.text(connection.client()), ClientSources.peer(response),
                                    "request " + i + " on a keep-alive connection\n" + cluster.describe());
                        }
                    }
                }
                if (mode.equals("http")) {
                    assertEquals(workers, answeredBy, "http mode: each keep-alive client's requests reached both workers");
                }
            }

            if (stack == Stack.TOMCAT_NIO) {
                // Tomcat's RemoteAddrValve allowing only 127.0.0.1 decides through jcluster as without it
                Http.Response denied = Http.freshFrom(other, port, "/guarded/").response();
                assertEquals(403, denied.status(), "RemoteAddrValve, request from " + other.getHostAddress() + ": "
                        + denied + "\n" + cluster.describe());
                Http.Response allowed = Http.freshFrom(loopback, port, "/guarded/").response();
                assertEquals(200, allowed.status(), "RemoteAddrValve, request from 127.0.0.1: " + allowed);
            }
        }
    }

    /** What the RemoteAddrValve cells compare with: the same Tomcat app, no agent, answers the same. */
    @Test
    void withoutJclusterTomcatsRemoteAddrValveDeniesTheOtherAddress() throws Exception {
        InetAddress other = ClientSources.nonLoopback();
        int port = FreePorts.tcp();
        try (ClusterProcess tomcat = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                .launch(Stack.TOMCAT_NIO.launch(port).toArray(String[]::new)).start()) {
            tomcat.awaitLine(String.format(Stack.TOMCAT_NIO.portLine, port), STARTUP);
            assertEquals(403, Http.freshFrom(other, port, "/guarded/").response().status());
            assertEquals(200, Http.freshFrom(ClientSources.loopback(), port, "/guarded/").response().status());
            Http.Exchange exchange = Http.freshFrom(other, port, "/peer");
            assertEquals(ClientSources.text(exchange.client()), ClientSources.peer(exchange.response()));
        }
    }

    /**
     * Acceptance: http mode, 50 keep-alive clients, half from 127.0.0.1 and half from the other address, under load
     * for 5 s (the JDK HTTP server, 2 workers, round-robin): every response names the very connection that carried its
     * request. The pooling this checks lives in the parent, the same on every JDK: JDK 17 only.
     */
    @Test
    void httpModeUnderMixedLoadEveryRequestSeesItsOwnClient() throws Exception {
        InetAddress other = ClientSources.nonLoopback();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(Jdk.jdk17(), port, "processes=2,mode=http")) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            PeerLoad.Result result = PeerLoad.run(port, Map.of(other, 25, ClientSources.loopback(), 25),
                    Duration.ofSeconds(5));
            System.out.println("[it] mixed load through a 2-worker http mode cluster: " + result);
            assertEquals(0, result.mismatched(), result + "\n" + cluster.describe());
            assertEquals(0, result.errors(), result + "\n" + cluster.describe());
            assertTrue(result.matched().get(other.getHostAddress()) > 0
                    && result.matched().get(ClientSources.loopback().getHostAddress()) > 0, result.toString());
        }
    }
}
