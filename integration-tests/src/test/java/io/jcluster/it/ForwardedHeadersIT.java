package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mode=http: what a client claims about itself in forwarding headers never reaches the app; a proxy named in
 * trusted-proxies= is believed, and the peer appended. The app (samples.web.WebProbe) echoes the headers it got.
 * One JDK: the rewriting is the parent's own byte handling, the same on every JDK.
 */
@Timeout(180)
class ForwardedHeadersIT {

    /** A client lying about who it is, how it connected and which host it asked for. */
    private static final String SPOOFING = "GET /headers HTTP/1.1\r\nHost: app.example\r\n"
            + "X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6;host=evil;proto=https\r\n"
            + "X-Forwarded-Host: evil\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: on\r\n"
            + "X_Forwarded_For: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\nConnection: close\r\n\r\n";

    @Test
    void aClientsOwnForwardingHeadersNeverReachTheApp() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.jdk17(), port, "processes=1,mode=http")) {
            cluster.awaitAnswering(port, 1, STARTUP);
            String headers = request(port, null, SPOOFING);
            assertTrue(headers.startsWith("HTTP/1.1 200"), headers);
            assertFalse(headers.contains("6.6.6.6"), "a client's address claim reached the app:\n" + headers);
            assertFalse(headers.contains("evil"), "a client's host claim reached the app:\n" + headers);
            assertFalse(headers.contains("https"), "a client's scheme claim reached the app:\n" + headers);
            assertFalse(headers.contains("x-forwarded-ssl"), headers);
            assertFalse(headers.contains("true-client-ip"), headers);
            assertTrue(headers.contains("\nx-forwarded-for: 127.0.0.1\n"), headers);
            assertTrue(headers.contains("\nx-real-ip: 127.0.0.1\n"), headers);
            assertTrue(headers.contains("\nx-forwarded-host: app.example\n"), headers);
            assertTrue(headers.contains("\nx-forwarded-proto: http\n"), headers);
            assertTrue(headers.contains("\nforwarded: for=127.0.0.1;host=app.example;proto=http\n"), headers);
        }
    }

    @Test
    void aTrustedProxysHeadersAreKeptAndThePeerAppended() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.jdk17(), port,
                "processes=1,mode=http,trusted-proxies=127.0.0.1/32,::1")) {
            cluster.awaitAnswering(port, 1, STARTUP);
            assertTrusted(request(port, null, SPOOFING));
        }
    }

    /**
     * One parent, trusted-proxies=127.0.0.1/32: a connection from loopback is believed, one from the machine's
     * other address is not. Needs a non-loopback address to bind the client's side to.
     */
    @Test
    void onlyPeersInTheTrustedRangesAreBelieved() throws Exception {
        InetAddress outside = ClientSources.nonLoopback();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.jdk17(), port, "processes=1,mode=http,"
                + "trusted-proxies=127.0.0.1/32")) {
            cluster.awaitAnswering(port, 1, STARTUP);
            assertTrusted(request(port, null, SPOOFING));
            String untrusted = request(port, outside, SPOOFING);
            String address = outside.getHostAddress();
            assertFalse(untrusted.contains("6.6.6.6") || untrusted.contains("evil"), untrusted);
            assertTrue(untrusted.contains("\nx-forwarded-for: " + address + "\n"), untrusted);
            assertTrue(untrusted.contains("\nx-real-ip: " + address + "\n"), untrusted);
            assertTrue(untrusted.contains("\nforwarded: for=" + address + ";host=app.example;proto=http\n"), untrusted);
        }
    }

    @Test
    void theStandaloneBalancerTakesTrustedProxiesToo() throws Exception {
        int port = FreePorts.tcp();
        int backendPort = FreePorts.tcp();
        try (ClusterProcess backend = ClusterProcess.on(Jdk.jdk17()).withoutAgent().mainClass("samples.web.WebProbe")
                .args(Integer.toString(backendPort)).start()) {
            backend.awaitLine(line -> line.equals("web probe listening on port " + backendPort), "'web probe listening'",
                    STARTUP);
            try (ClusterProcess balancer = ClusterProcess.on(Jdk.jdk17()).withoutAgent()
                    .launch("-jar", AgentSnapshot.path().toString(), "balance").args("--listen", "127.0.0.1:" + port,
                            "--backend", "127.0.0.1:" + backendPort, "--mode", "http",
                            "--trusted-proxies", "10.0.0.0/8,127.0.0.0/8").start()) {
                balancer.awaitLine(line -> line.startsWith("[jcluster] balancing "), "'[jcluster] balancing'", STARTUP);
                assertTrusted(request(port, null, SPOOFING));
            }
        }
    }

    @Test
    void aBadRangeStopsTheLaunchWithOneLine() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.jdk17(), FreePorts.tcp(),
                "processes=1,mode=http,trusted-proxies=10.0.0.0/8,10.0.0.1/8")) {
            assertEquals(2, cluster.awaitExit(Duration.ofSeconds(15)), cluster.describe());
            List<String> errors = cluster.stderr().stream().filter(line -> !line.isBlank()).toList();
            assertEquals(List.of("jcluster: trusted-proxies=10.0.0.1/8: 10.0.0.1 has bits set past the /8 prefix;"
                    + " write the range as 10.0.0.0/8 (or the single address without a prefix)"), errors);
        }
    }

    /** What the app got from a loopback peer trusted as a proxy: its claims, with the peer after them. */
    private static void assertTrusted(String headers) {
        assertTrue(headers.startsWith("HTTP/1.1 200"), headers);
        assertTrue(headers.contains("\nx-forwarded-for: 6.6.6.6, 6.6.6.6, 127.0.0.1\n"), "kept, peer appended:\n" + headers);
        assertTrue(headers.contains("\nforwarded: for=6.6.6.6;host=evil;proto=https, for=127.0.0.1;host=app.example;"
                + "proto=http\n"), headers);
        assertTrue(headers.contains("\nx-forwarded-host: evil\n"), headers);
        assertTrue(headers.contains("\nx-forwarded-proto: https\n"), headers);
        assertTrue(headers.contains("\nx-real-ip: 6.6.6.6\n"), headers);
        assertTrue(headers.contains("\ntrue-client-ip: 6.6.6.6\n"), headers);
        assertTrue(headers.contains("\nx-forwarded-ssl: on\n"), headers);
    }

    /** One request on a fresh connection, its client side bound to {@code source} (null: loopback); the answer. */
    private static String request(int port, InetAddress source, String request) throws IOException {
        try (Socket socket = new Socket()) {
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
