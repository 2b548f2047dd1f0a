package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tls-cert/tls-key terminate TLS in the parent (OpenSSL from the jar's shaded tcnative, or the JDK's): the JDK
 * client with a self-signed certificate made here (by the JDK's keytool) gets 200 over TLS 1.3 and 1.2, and the app
 * learns the request came over https. A key that is not the certificate's stops the launch with one line and exit
 * status 2.
 */
@Timeout(180)
class TlsIT {

    @TempDir
    Path dir;

    /**
     * On {@link Jdk#both()}: JDK 17 gets OpenSSL, Temurin 25 as users run it (no native access) the JDK's TLS, so both
     * providers serve a real client here; the third variant differs only in the transport below it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void httpsIsTerminatedInTheParent(Jdk jdk) throws Exception {
        Path keystore = TestCertificates.keyPair(jdk, dir, "server");
        Path cert = TestCertificates.writePem(keystore, "server", true);
        Path key = TestCertificates.writePem(keystore, "server", false);
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port,
                "processes=2,mode=http,tls-cert=" + cert + ",tls-key=" + key)) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.contains(", https, "), listening);
            // tls-provider=auto: the shaded jar's relocated tcnative loads where native code may (a packaging slip
            // would fall back to the JDK's TLS); JDK 25 without native access uses the JDK's TLS and says why
            if (jdk.nativeAccess()) {
                assertTrue(listening.contains(", https, TLS by OpenSSL (BoringSSL), "), listening);
            } else {
                assertTrue(listening.contains(", https, TLS by the JDK, "), listening);
                assertTrue(cluster.stderr().stream().anyMatch(line -> line.contains("[jcluster] TLS by the JDK, not"
                        + " OpenSSL: on JDK 24+ native code needs --enable-native-access=ALL-UNNAMED")),
                        cluster.describe());
            }
            cluster.awaitWorkers(2, STARTUP);
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(keystore))
                        .sslParameters(new SSLParameters(null, new String[] {protocol}))
                        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> response = awaitHttps(client, port);
                assertEquals(200, response.statusCode(), protocol);
                assertTrue(response.body().contains("x-forwarded-proto: https\n"), protocol + ": " + response.body());
                assertTrue(response.body().contains("x-forwarded-for: 127.0.0.1\n"), response.body());
                assertEquals(protocol, response.sslSession().orElseThrow().getProtocol());
            }
        }
    }

    /** On {@link Jdk#both()}: the key is read by the JDK's own crypto. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void aKeyThatIsNotTheCertificatesExitsTwoWithOneLine(Jdk jdk) throws Exception {
        Path keystore = TestCertificates.keyPair(jdk, dir, "server");
        Path other = TestCertificates.keyPair(jdk, dir, "other");
        Path cert = TestCertificates.writePem(keystore, "server", true);
        Path wrongKey = TestCertificates.writePem(other, "other", false);
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port,
                "processes=2,mode=http,tls-cert=" + cert + ",tls-key=" + wrongKey)) {
            assertEquals(2, cluster.awaitExit(Duration.ofSeconds(20)), cluster.describe());
            List<String> errors = cluster.stderr().stream().filter(line -> !line.isBlank()).toList();
            assertEquals(1, errors.size(), "one line: " + errors);
            assertTrue(errors.get(0).startsWith("jcluster: tls-key=" + wrongKey + ": this key does not belong to the"
                    + " certificate in tls-cert=" + cert), errors.get(0));
            assertTrue(cluster.workerPids().isEmpty(), "nothing started");
        }
    }

    private HttpResponse<String> awaitHttps(HttpClient client, int port) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/headers"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }
}
