package io.jcluster.agent.standalone;

import io.jcluster.agent.config.Option;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.Strategy;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalanceArgumentsTest {

    private static BalanceArguments parse(String line) throws BalanceArguments.BadArguments {
        return BalanceArguments.parse(line.isEmpty() ? new String[0] : line.split(" "));
    }

    private static String error(String line) {
        return assertThrows(BalanceArguments.BadArguments.class, () -> parse(line)).getMessage();
    }

    @Test
    void listenAndBackendsWithAgentOptionsInBothForms() throws Exception {
        BalanceArguments arguments = parse("--listen 9000 --backend 127.0.0.1:8081 --backend=127.0.0.1:8082"
                + " --mode http --strategy=round-robin --max-connections 100 --queue-timeout 2s");
        assertEquals(List.of(new InetSocketAddress("0.0.0.0", 9000)), arguments.listen());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8081), new InetSocketAddress("127.0.0.1", 8082)),
                arguments.backends());
        Options options = arguments.options();
        assertEquals(Options.Mode.HTTP, options.proxy().mode());
        assertEquals(Strategy.ROUND_ROBIN, options.proxy().strategy());
        assertEquals(100, options.proxy().maxConnections());
        assertEquals(Duration.ofSeconds(2), options.proxy().queueTimeout());
        assertEquals(BalanceArguments.DEFAULT_PROBE_PERIOD, arguments.probePeriod());
    }

    @Test
    void listenTakesHostPortAndIpv6InBrackets() throws Exception {
        BalanceArguments arguments = parse("--listen 127.0.0.1:9000 --listen [::1]:9001 --backend [::1]:8081");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 9000), new InetSocketAddress("::1", 9001)),
                arguments.listen());
        assertEquals(List.of(new InetSocketAddress("::1", 8081)), arguments.backends());
    }

    @Test
    void proxyProtocolIsAStandaloneOption() throws Exception {
        assertEquals(Options.ProxyProtocol.V2, parse("--listen 9000 --backend 127.0.0.1:1 --mode http"
                + " --proxy-protocol v2").options().proxy().proxyProtocol());
        assertEquals("--proxy-protocol v3: expected v1 or v2", error("--listen 9000 --backend 127.0.0.1:1"
                + " --proxy-protocol v3"));
    }

    @Test
    void tlsProviderIsAStandaloneOption(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("cert.pem"), "c");
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), "k");
        String tls = "--listen 9000 --backend 127.0.0.1:1 --mode http --tls-cert " + cert + " --tls-key " + key;
        assertEquals(Options.TlsProvider.JDK, parse(tls + " --tls-provider jdk").options().http().tlsProvider());
        assertEquals(Options.TlsProvider.AUTO, parse(tls).options().http().tlsProvider());
        assertEquals("--tls-provider java: expected auto, openssl or jdk", error(tls + " --tls-provider java"));
    }

    @Test
    void healthIntervalSetsTheProbePeriod() throws Exception {
        assertEquals(Duration.ofMillis(250), parse("--listen 9000 --backend 127.0.0.1:1 --health-interval 250ms")
                .probePeriod());
    }

    @Test
    void badAddressesNameTheValueAndWhatIsExpected() {
        assertEquals("--backend 127.0.0.1:99999: port must be 1-65535",
                error("--listen 9000 --backend 127.0.0.1:99999"));
        assertEquals("--backend 127.0.0.1:0: port must be 1-65535", error("--listen 9000 --backend 127.0.0.1:0"));
        assertEquals("--backend foo: the port is missing; expected HOST:PORT (e.g. 127.0.0.1:8081)",
                error("--listen 9000 --backend foo"));
        assertEquals("--backend 8081: the port is missing; expected HOST:PORT (e.g. 127.0.0.1:8081)",
                error("--listen 9000 --backend 8081"));
        assertEquals("--backend :8081: the host is missing; expected HOST:PORT (e.g. 127.0.0.1:8081)",
                error("--listen 9000 --backend :8081"));
        assertEquals("--backend 127.0.0.1:http: port 'http' is not a number; expected HOST:PORT (e.g. 127.0.0.1:8081)",
                error("--listen 9000 --backend 127.0.0.1:http"));
        assertEquals("--backend ::1:8081: write an IPv6 address in brackets, e.g. [::1]:8081",
                error("--listen 9000 --backend ::1:8081"));
        assertEquals("--listen 70000: port must be 1-65535", error("--listen 70000 --backend 127.0.0.1:8081"));
        assertEquals("--backend 127.0.0.1:8081: given twice",
                error("--listen 9000 --backend 127.0.0.1:8081 --backend 127.0.0.1:8081"));
    }

    @Test
    void missingListenOrBackendIsNamed() {
        assertTrue(error("--backend 127.0.0.1:8081").startsWith("--listen is missing"));
        assertTrue(error("--listen 9000").startsWith("--backend is missing"));
        assertEquals("--backend needs a value (HOST:PORT)", error("--listen 9000 --backend"));
        assertEquals("unexpected argument '127.0.0.1:8081' (options start with --; see --help)",
                error("--listen 9000 127.0.0.1:8081"));
    }

    @Test
    void agentOptionsAreCheckedByTheAgentsRulesAndReadAsFlags() {
        assertEquals("--strategy fastest: expected " + Option.STRATEGY.accepts(),
                error("--listen 9000 --backend 127.0.0.1:8081 --strategy fastest"));
        assertTrue(error("--listen 9000 --backend 127.0.0.1:8081 --sticky cookie")
                .startsWith("--sticky cookie: needs mode=http"));
        assertTrue(error("--listen 9000 --backend 127.0.0.1:8081 --frobnicate 1")
                .startsWith("--frobnicate: unknown option (known: --listen, --backend, --strategy"));
    }

    @Test
    void grpcModeIsAcceptedWithoutTheProxyProtocol() throws Exception {
        assertEquals(io.jcluster.agent.config.Options.Mode.GRPC,
                parse("--listen 9000 --backend 127.0.0.1:8081 --mode grpc").options().proxy().mode());
        // one backend connection carries many clients' calls: no PROXY header can name its client
        assertTrue(error("--listen 9000 --backend 127.0.0.1:8081 --mode grpc --proxy-protocol v2")
                .startsWith("--proxy-protocol v2: not with mode=grpc"), () -> error(
                        "--listen 9000 --backend 127.0.0.1:8081 --mode grpc --proxy-protocol v2"));
    }

    @Test
    void optionsThatConcernWorkersAreRefusedAsAgentOnly() {
        for (String key : List.of("processes", "port", "log", "restart-delay", "max-restarts", "max-memory",
                "ready-timeout", "health", "health-threshold", "config", "max-processes", "store", "store-size",
                "store-timeout", "max-message")) {
            String message = error("--listen 9000 --backend 127.0.0.1:8081 --" + key + " 1");
            assertTrue(message.startsWith("--" + key + ": applies to the agent only"), message);
        }
    }

    @Test
    void theAdminEndpointIsAStandaloneOptionWithTheAgentsTokenRules() throws Exception {
        Options options = parse("--listen 9000 --backend 127.0.0.1:8081 --admin 9090 --admin-token s3cret").options();
        assertEquals(new InetSocketAddress("127.0.0.1", 9090), options.admin().address());
        assertEquals("s3cret", options.admin().token());
        assertTrue(error("--listen 9000 --backend 127.0.0.1:8081 --admin 70000").startsWith("--admin 70000: "),
                error("--listen 9000 --backend 127.0.0.1:8081 --admin 70000"));
    }

    @Test
    void anAgentOnlyOptionsValueIsNeverRepeated() {
        // the value may be a secret (a token, a store URI with a password): error lines end up in logs
        for (String option : List.of("--store redis://:hunter2@127.0.0.1", "--sessions hunter2")) {
            String message = error("--listen 9000 --backend 127.0.0.1:8081 " + option);
            assertFalse(message.contains("hunter2"), message);
        }
    }

    @Test
    void theTcpIdleTimeoutIsABalancerOption() throws BalanceArguments.BadArguments {
        assertEquals(java.time.Duration.ofMinutes(5),
                parse("--listen 9000 --backend 127.0.0.1:8081 --tcp-idle-timeout 5m").options().proxy().tcpIdleTimeout());
        assertEquals(java.time.Duration.ZERO, parse("--listen 9000 --backend 127.0.0.1:8081").options().proxy().tcpIdleTimeout());
    }

    @Test
    void everyOptionTheStandaloneBalancerRefusesIsAnAgentOption() {
        for (String key : BalanceArguments.AGENT_ONLY.keySet()) {
            if (key.equals("balancer")) {
                continue; // balancer=kernel: decided here ahead of its arrival in the option table
            }
            assertTrue(java.util.Arrays.stream(Option.values()).anyMatch(option -> option.key().equals(key)), key);
        }
    }
}
