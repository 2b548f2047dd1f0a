package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar jcluster.jar balance --listen ... --backend ...}: the balancer on its own, in front of real
 * server JVMs (samples.hello.HelloServer, which answers with its pid) that the test starts and kills by pid.
 */
@Timeout(180)
class StandaloneBalancerIT {

    /** How long a backend that comes up may take to be probed back in (probe period 1 s, generous margin). */
    private static final Duration PROBED_IN = Duration.ofSeconds(10);

    /**
     * Each mode once, each on one of the two JDKs users run: the balancer is launched with -jar, whose manifest
     * grants native access, so it runs on epoll on either JDK (the third variant of {@link Jdk#all()}, JDK 25 with
     * native access granted, would repeat plain JDK 25), and what differs between the modes is the balancer's own
     * code, the same on every JDK.
     */
    static Stream<Arguments> jdksAndModes() {
        return Stream.of(Arguments.of(Jdk.jdk17(), "tcp"), Arguments.of(Jdk.temurin25(), "http"));
    }

    /** The cheap checks run on the two JDKs users run, as users run them. */
    static Stream<Jdk> plainJdks() {
        return Stream.of(Jdk.jdk17(), Jdk.temurin25());
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("jdksAndModes")
    void backendsNamedOnTheCommandLineShareTheTrafficRoundRobin(Jdk jdk, String mode) throws Exception {
        int port = FreePorts.tcp();
        int first = FreePorts.tcp();
        int second = FreePorts.tcp();
        try (ClusterProcess a = backend(first); ClusterProcess b = backend(second);
             ClusterProcess balancer = balancer(jdk, "--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + first,
                     "--backend", "127.0.0.1:" + second, "--strategy", "round-robin", "--mode", mode).start()) {
            String line = balancer.awaitLine(text -> text.startsWith("[jcluster] balancing "), "starting '[jcluster]"
                    + " balancing'", STARTUP);
            assertTrue(line.matches("\\[jcluster\\] balancing 127\\.0\\.0\\.1:" + port + " -> 127\\.0\\.0\\.1:" + first
                    + ", 127\\.0\\.0\\.1:" + second + " \\(round-robin, " + mode + ", [a-z_]+\\)"), line);
            // java -jar: the jar's Enable-Native-Access manifest entry grants native access on JDK 24+ too
            assertFalse(line.endsWith(", nio)"), "a -jar launch runs on a native transport: " + line);

            Map<Long, Integer> answers = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                Http.Response response = Http.fresh(port, "/");
                assertEquals(200, response.status(), response + "\n" + balancer.describe());
                answers.merge(response.pid(), 1, Integer::sum);
            }
            assertEquals(Map.of(a.pid(), 5, b.pid(), 5), answers, "10 new connections, round-robin over 2 backends");

            if (mode.equals("http")) {
                // per-request balancing: one keep-alive connection reaches both backends
                Map<Long, Integer> keptAlive = new HashMap<>();
                try (Http.KeepAlive connection = Http.keepAlive(port)) {
                    for (int i = 0; i < 10; i++) {
                        keptAlive.merge(connection.get("/").pid(), 1, Integer::sum);
                    }
                }
                assertEquals(Map.of(a.pid(), 5, b.pid(), 5), keptAlive, "10 requests on one keep-alive connection");
            }
        }
    }

    /**
     * A backend with nothing listening at start is out of rotation and every request succeeds on the other; once a
     * server listens there it is probed back in; killed with -9, it leaves rotation again with no client error.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("jdksAndModes")
    void aBackendThatIsDownCostsNoClientErrorAndIsProbedBackIn(Jdk jdk, String mode) throws Exception {
        int port = FreePorts.tcp();
        int first = FreePorts.tcp();
        int second = FreePorts.tcp();
        try (ClusterProcess a = backend(first);
             ClusterProcess balancer = balancer(jdk, "--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + first,
                     "--backend", "127.0.0.1:" + second, "--strategy", "round-robin", "--mode", mode).start()) {
            balancer.awaitLine("^\\[jcluster\\] backend 127\\.0\\.0\\.1:" + second
                    + " is down \\(connection refused\\); probing$", STARTUP);
            assertAllAnsweredBy(balancer, port, 40, a.pid());

            try (ClusterProcess b = backend(second)) {
                balancer.awaitLine("^\\[jcluster\\] backend 127\\.0\\.0\\.1:" + second + " is back; in rotation again$",
                        PROBED_IN);
                assertEquals(java.util.Set.of(a.pid(), b.pid()), balancer.awaitAnswering(port, 2, PROBED_IN));

                Signals.kill(a.pid());
                a.awaitExit(Duration.ofSeconds(10));
                assertAllAnsweredBy(balancer, port, 40, b.pid());
                balancer.awaitLine("^\\[jcluster\\] backend 127\\.0\\.0\\.1:" + first
                        + " is down \\(connection refused\\); probing$", Duration.ofSeconds(5));
            }
        }
    }

    /** No backend up: a client is turned away at once (tcp: closed; http: 503), and served once one comes up. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("plainJdks")
    void withEveryBackendDownClientsAreTurnedAwayUntilOneComesUp(Jdk jdk) throws Exception {
        int tcp = FreePorts.tcp();
        int http = FreePorts.tcp();
        int backendPort = FreePorts.tcp();
        try (ClusterProcess tcpBalancer = balancer(jdk, "--listen", "127.0.0.1:" + tcp, "--backend",
                "127.0.0.1:" + backendPort).start();
             ClusterProcess httpBalancer = balancer(jdk, "--listen", "127.0.0.1:" + http, "--backend",
                     "127.0.0.1:" + backendPort, "--mode", "http").start()) {
            for (ClusterProcess balancer : List.of(tcpBalancer, httpBalancer)) {
                balancer.awaitLine("^\\[jcluster\\] no backend accepts connections yet", STARTUP);
            }
            try {
                Http.Response response = Http.fresh(tcp, "/", Duration.ofSeconds(5));
                throw new AssertionError("tcp mode with no backend answered " + response);
            } catch (IOException expected) {
                // closed without a byte: the client sees the connection end at once
            }
            Http.Response unavailable = Http.fresh(http, "/", Duration.ofSeconds(5));
            assertEquals(503, unavailable.status(), unavailable.toString());
            assertTrue(unavailable.header("retry-after") != null, unavailable.toString());

            try (ClusterProcess backend = backend(backendPort)) {
                assertEquals(java.util.Set.of(backend.pid()), tcpBalancer.awaitAnswering(tcp, 1, PROBED_IN));
                assertEquals(java.util.Set.of(backend.pid()), httpBalancer.awaitAnswering(http, 1, PROBED_IN));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainJdks")
    void badCommandLinesExitTwoWithOneLineNamingTheValue(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        String listen = "127.0.0.1:" + port;
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--listen", listen, "--backend", "127.0.0.1:99999"),
                "jcluster balance: --backend 127.0.0.1:99999: port must be 1-65535");
        cases.put(List.of("--listen", listen, "--backend", "foo"),
                "jcluster balance: --backend foo: the port is missing; expected HOST:PORT (e.g. 127.0.0.1:8081)");
        cases.put(List.of("--listen", listen, "--backend", "127.0.0.1:http"),
                "jcluster balance: --backend 127.0.0.1:http: port 'http' is not a number; expected HOST:PORT (e.g."
                        + " 127.0.0.1:8081)");
        cases.put(List.of("--listen", listen), "jcluster balance: --backend is missing: name at least one server to"
                + " balance over, e.g. --backend 127.0.0.1:8081");
        cases.put(List.of("--backend", "127.0.0.1:8081"), "jcluster balance: --listen is missing: say where clients"
                + " connect, e.g. --listen 9000 or --listen 127.0.0.1:9000");
        cases.put(List.of("--listen", listen, "--backend", "127.0.0.1:8081", "--strategy", "fastest"),
                "jcluster balance: --strategy fastest: expected round-robin, least-connections, random or power-of-two");
        cases.put(List.of("--listen", listen, "--backend", "127.0.0.1:8081", "--processes", "4"),
                "jcluster balance: --processes: applies to the agent only (it concerns workers; the standalone"
                        + " balancer runs none)");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<List<String>, String> bad : cases.entrySet()) {
            try (ClusterProcess balancer = balancer(jdk, bad.getKey().toArray(String[]::new)).start()) {
                int status = balancer.awaitExit(Duration.ofSeconds(30));
                if (status != 2 || !balancer.stderr().equals(List.of(bad.getValue())) || !balancer.stdout().isEmpty()) {
                    failures.add(bad.getKey() + ": exit " + status + ", stdout " + balancer.stdout() + ", stderr "
                            + balancer.stderr() + "; expected exit 2 and stderr [" + bad.getValue() + "]");
                }
            }
        }
        try (ClusterProcess balancer = balancer(jdk, "--listen", listen, "--backend", "127.0.0.1:8081", "--frobnicate",
                "1").start()) {
            int status = balancer.awaitExit(Duration.ofSeconds(30));
            List<String> stderr = balancer.stderr();
            if (status != 2 || stderr.size() != 1
                    || !stderr.get(0).startsWith("jcluster balance: --frobnicate: unknown option (known: --listen,")) {
                failures.add("--frobnicate 1: exit " + status + ", stderr " + stderr);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainJdks")
    void aListenPortInUseExitsOneWithOneLine(Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            try (ClusterProcess balancer = balancer(jdk, "--listen", "127.0.0.1:" + port, "--backend",
                    "127.0.0.1:" + FreePorts.tcp()).start()) {
                assertEquals(1, balancer.awaitExit(Duration.ofSeconds(30)), balancer.describe());
                List<String> lines = balancer.stderr();
                assertEquals(1, lines.size(), balancer.describe());
                assertTrue(lines.get(0).startsWith("[jcluster] cannot listen on 127.0.0.1:" + port + " ("), lines.get(0));
            }
        }
    }

    /**
     * SIGTERM: stop accepting, let the request in flight finish, exit 0. One JDK: the stop sequence is the
     * balancer's own, the same on every JDK.
     */
    @Test
    void sigtermLetsTheRequestInFlightFinishAndExitsZero() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        int backendPort = FreePorts.tcp();
        try (ClusterProcess backend = backend(backendPort);
             ClusterProcess balancer = balancer(jdk, "--listen", "127.0.0.1:" + port, "--backend",
                     "127.0.0.1:" + backendPort).start()) {
            balancer.awaitAnswering(port, 1, STARTUP);
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.fresh(port, "/slow?ms=1500", Duration.ofSeconds(30));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ClusterProcess.sleep(300);
            assertFalse(slow.isDone(), "the slow request is in flight when SIGTERM arrives");
            Signals.term(balancer.pid());
            Http.Response response = slow.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.status(), response.toString());
            assertEquals(backend.pid(), response.pid());
            assertEquals(0, balancer.awaitExit(Duration.ofSeconds(30)), balancer.describe());
            assertTrue(balancer.stderr().contains("[jcluster] stopped"), balancer.describe());
        }
    }

    /** Fresh-connection requests: every one answered 200 by {@code pid}. */
    private static void assertAllAnsweredBy(ClusterProcess balancer, int port, int requests, long pid) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            try {
                Http.Response response = Http.fresh(port, "/");
                if (response.status() != 200 || response.pid() != pid) {
                    failures.add("request " + i + ": " + response);
                }
            } catch (IOException e) {
                failures.add("request " + i + ": " + e);
            }
        }
        assertTrue(failures.isEmpty(), "expected every request answered by pid " + pid + ": " + failures + "\n"
                + balancer.describe());
    }

    /** {@code java -jar jcluster.jar balance <args>} on {@code jdk}, from the test run's snapshot of the jar. */
    private static ClusterProcess.Builder balancer(Jdk jdk, String... args) throws IOException {
        return ClusterProcess.on(jdk).withoutAgent().launch("-jar", AgentSnapshot.path().toString(), "balance")
                .args(args);
    }

    /** A plain HelloServer JVM (no agent) on {@code port}, listening when this returns. */
    static ClusterProcess backend(int port) throws IOException {
        ClusterProcess server = ClusterProcess.on(Jdk.jdk17()).withoutAgent().mainClass("samples.hello.HelloServer")
                .args(Integer.toString(port)).start();
        try {
            server.awaitLine(line -> line.equals("hello server listening on port " + port), "'hello server listening'",
                    STARTUP);
        } catch (AssertionError | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }
}
