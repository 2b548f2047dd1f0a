package io.jcluster.agent.http.proxy;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * tls-provider=: which provider each choice gives, the lines when OpenSSL cannot be had, and a real TLS handshake
 * (client and server SslHandlers on two EmbeddedChannels, their bytes passed between them) with each provider: ALPN
 * picks h2 or http/1.1, TLS 1.1 and CBC cipher suites are refused, and a SIGHUP's renewed certificate is served.
 */
class TlsContextTest {

    @TempDir
    Path dir;

    /** The providers a server can be asked for here; openssl where the machine has it (this one does). */
    enum Server { OPENSSL, JDK }

    private static Options.TlsProvider choice(Server server) {
        if (server == Server.OPENSSL) {
            assumeTrue(OpenSsl.isAvailable(), "SKIPPED: netty-tcnative does not load here: "
                    + OpenSsl.unavailabilityCause());
            return Options.TlsProvider.OPENSSL;
        }
        return Options.TlsProvider.JDK;
    }

    private io.jcluster.agent.config.HttpOptions http(Path[] files, String more) throws Exception {
        return OptionParser.parse("mode=http,tls-cert=" + files[0] + ",tls-key=" + files[1] + more).http();
    }

    @Test
    void autoIsOpenSslWhereItLoadsAndJdkIsTheJdk() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "SKIPPED: netty-tcnative does not load here");
        Path[] files = selfSigned("ec", "choice");
        TlsContext.Provider auto = TlsContext.provider(http(files, ""));
        assertEquals(SslProvider.OPENSSL, auto.ssl());
        assertEquals("OpenSSL (BoringSSL)", auto.description());
        assertNull(auto.note());
        assertEquals(SslProvider.OPENSSL, TlsContext.provider(http(files, ",tls-provider=openssl")).ssl());
        assertEquals(SslProvider.JDK, TlsContext.provider(http(files, ",tls-provider=jdk")).ssl());
        assertEquals("the JDK", TlsContext.describe(http(files, ",tls-provider=jdk")));
        assertEquals("OpenSSL (BoringSSL)", TlsContext.describe(http(files, "")));
    }

    @Test
    void withoutOpenSslAutoSaysWhyAndOpensslStopsTheLaunch() throws Exception {
        String why = "netty-tcnative did not load: no libnetty_tcnative in java.library.path";
        TlsContext.Provider auto = TlsContext.provider(Options.TlsProvider.AUTO, "EC", why);
        assertEquals(SslProvider.JDK, auto.ssl());
        assertEquals("TLS by the JDK, not OpenSSL: " + why + " (fix that for OpenSSL's lower CPU cost per request)",
                auto.note());
        assertEquals("tls-provider=openssl: OpenSSL cannot be used here: " + why + "; fix that, or use"
                + " tls-provider=auto or jdk for the JDK's TLS", assertThrows(TlsContext.TlsException.class,
                        () -> TlsContext.provider(Options.TlsProvider.OPENSSL, "EC", why)).getMessage());
        assertNull(TlsContext.provider(Options.TlsProvider.JDK, "EC", why).note());
    }

    /** Netty's OpenSSL chooses the certificate by RSA and EC key types only: other keys go to the JDK. */
    @Test
    void anEdDsaKeyIsTheJdksUnderAutoAndRefusedByOpenssl() throws Exception {
        String why = "Netty's OpenSSL serves RSA and EC keys only, and tls-key holds an Ed25519 key";
        TlsContext.Provider auto = TlsContext.provider(Options.TlsProvider.AUTO, "Ed25519", null);
        assertEquals(SslProvider.JDK, auto.ssl());
        assertEquals("TLS by the JDK, not OpenSSL: " + why + " (fix that for OpenSSL's lower CPU cost per request)",
                auto.note());
        assertEquals("tls-provider=openssl: OpenSSL cannot be used here: " + why + "; fix that, or use"
                + " tls-provider=auto or jdk for the JDK's TLS", assertThrows(TlsContext.TlsException.class,
                        () -> TlsContext.provider(Options.TlsProvider.OPENSSL, "Ed25519", null)).getMessage());
        assertEquals(SslProvider.OPENSSL, TlsContext.provider(Options.TlsProvider.AUTO, "RSA", null).ssl());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void theContextIsTheProvidersOwn(Server server) throws Exception {
        Path[] files = selfSigned("ec", "ctx");
        SslContext context = TlsContext.load(files[0], files[1], true, choice(server));
        assertEquals(server == Server.OPENSSL, context instanceof OpenSslContext, context.getClass().getName());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void alpnPicksH2OrHttp11(Server server) throws Exception {
        Path[] files = selfSigned("ec", "alpn");
        SslContext h2 = TlsContext.load(files[0], files[1], true, choice(server));
        SslContext http11 = TlsContext.load(files[0], files[1], false, choice(server));
        assertEquals("h2", handshake(h2, client(List.of("TLSv1.3"), null, "h2", "http/1.1")).protocol());
        assertEquals("h2", handshake(h2, client(List.of("TLSv1.2"), null, "h2", "http/1.1")).protocol());
        assertEquals("http/1.1", handshake(h2, client(List.of("TLSv1.3"), null, "http/1.1")).protocol());
        assertEquals("http/1.1", handshake(http11, client(List.of("TLSv1.3"), null, "h2", "http/1.1")).protocol(),
                "http2=off offers http/1.1 only");
        Handshake plain = handshake(h2, client(List.of("TLSv1.3"), null));
        assertTrue(plain.succeeded(), "a client without ALPN gets TLS (and speaks HTTP/1.1)");
        assertNull(plain.protocol());
    }

    /** The server's protocols are TLS 1.3 and 1.2 only: a TLS 1.1 ClientHello (sent by BoringSSL) is refused. */
    @ParameterizedTest
    @EnumSource(Server.class)
    void tls11IsRefused(Server server) throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "SKIPPED: the TLS 1.1 client is BoringSSL's (the JDK's will not send one)");
        Path[] files = selfSigned("rsa:2048", "old");
        SslContext context = TlsContext.load(files[0], files[1], true, choice(server));
        Handshake tls11 = handshake(context, SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.1").build());
        assertTrue(tls11.serverSawIt(), "the client did send its TLS 1.1 hello");
        assertFalse(tls11.succeeded(), "TLS 1.1 must be refused");
        assertTrue(handshake(context, client(List.of("TLSv1.2"), null)).succeeded(), "TLS 1.2 is taken");
    }

    /** ECDHE with an AEAD cipher only (OpenSSL's default list would take CBC and RSA key exchange suites too). */
    @ParameterizedTest
    @EnumSource(Server.class)
    void cbcAndRsaKeyExchangeSuitesAreRefused(Server server) throws Exception {
        Path[] files = selfSigned("rsa:2048", "suites");
        for (boolean h2 : new boolean[] {true, false}) {
            SslContext context = TlsContext.load(files[0], files[1], h2, choice(server));
            for (String suite : List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_RSA_WITH_AES_128_CBC_SHA")) {
                Handshake weak = handshake(context, client(List.of("TLSv1.2"), suite));
                assertTrue(weak.serverSawIt(), suite);
                assertFalse(weak.succeeded(), suite + " must be refused (h2=" + h2 + ")");
            }
            assertTrue(handshake(context, client(List.of("TLSv1.2"), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                    .succeeded());
        }
    }

    /** A SIGHUP reads the files again: a handshake after it gets the renewed certificate, with either provider. */
    @ParameterizedTest
    @EnumSource(Server.class)
    void aSighupServesTheRenewedCertificate(Server server) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned("ec", "first", cert, key);
        Options options = OptionParser.parse("mode=http,tls-cert=" + cert + ",tls-key=" + key + ",tls-provider="
                + choice(server).key());
        HttpFrontend frontend = HttpFrontend.of(options, true);
        assertEquals("CN=first", handshake(frontend.settings().tls(), client(List.of("TLSv1.3"), null)).peer());
        selfSigned("ec", "renewed", cert, key);
        frontend.reconfigure(options);
        Handshake renewed = handshake(frontend.settings().tls(), client(List.of("TLSv1.3"), null, "h2"));
        assertEquals("CN=renewed", renewed.peer());
        assertEquals("h2", renewed.protocol());
        assertEquals(server == Server.OPENSSL, frontend.settings().tls() instanceof OpenSslContext);
    }

    /** Every key type TlsContext reads serves a TLS 1.3 handshake under auto and under the provider it names. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"rsa:2048", "ec", "ed25519", "ed448", "rsa-pss"})
    void everyKeyTypeServes(String keyType) throws Exception {
        Path[] files = selfSigned(keyType, keyType.replace(':', '-'));
        boolean openSslKey = keyType.startsWith("rsa:") || keyType.equals("ec");
        for (Options.TlsProvider provider : Options.TlsProvider.values()) {
            if (provider == Options.TlsProvider.OPENSSL && !openSslKey) {
                assertThrows(TlsContext.TlsException.class, () -> TlsContext.load(files[0], files[1], true, provider));
                continue;
            }
            SslContext context;
            try {
                context = TlsContext.load(files[0], files[1], true, provider);
            } catch (TlsContext.TlsException e) {
                throw new AssertionError(keyType + " with tls-provider=" + provider.key() + ": " + e.getMessage(), e);
            }
            Handshake handshake = handshake(context, client(List.of("TLSv1.3"), null, "h2"));
            assertTrue(handshake.succeeded(), keyType + " with tls-provider=" + provider.key() + " ("
                    + context.getClass().getSimpleName() + ")");
            assertEquals(openSslKey && provider != Options.TlsProvider.JDK && OpenSsl.isAvailable(),
                    context instanceof OpenSslContext, keyType + " " + provider.key());
        }
    }

    private static SslContext client(List<String> protocols, String suite, String... alpn) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols(protocols);
        if (suite != null) {
            builder.ciphers(List.of(suite));
        }
        if (alpn.length > 0) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return builder.build();
    }

    /**
     * @param serverSawIt whether bytes from the client reached the server (so a failure is the server's refusal)
     * @param protocol    the ALPN protocol the server chose, or null
     * @param peer        the subject of the certificate the client was shown, or null
     */
    private record Handshake(boolean serverSawIt, boolean succeeded, String protocol, String peer) {
    }

    private static Handshake handshake(SslContext serverContext, SslContext clientContext) throws Exception {
        SslHandler serverTls = serverContext.newHandler(ByteBufAllocator.DEFAULT);
        SslHandler clientTls = clientContext.newHandler(ByteBufAllocator.DEFAULT, "localhost", 443);
        EmbeddedChannel server = new EmbeddedChannel(serverTls);
        EmbeddedChannel client = new EmbeddedChannel(clientTls);
        boolean serverSawIt = false;
        try {
            for (int round = 0; round < 20; round++) {
                boolean toServer = pass(client, server);
                serverSawIt |= toServer;
                if (!toServer & !pass(server, client)) {
                    break;
                }
            }
            boolean succeeded = serverTls.handshakeFuture().isSuccess() && clientTls.handshakeFuture().isSuccess();
            String peer = null;
            if (clientTls.handshakeFuture().isSuccess()) {
                peer = ((X509Certificate) clientTls.engine().getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName();
            }
            return new Handshake(serverSawIt, succeeded, succeeded ? serverTls.applicationProtocol() : null, peer);
        } finally {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }

    /** Moves what {@code from} wrote into {@code to}; false when there was nothing. */
    private static boolean pass(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object bytes = from.readOutbound(); bytes != null; bytes = from.readOutbound()) {
            moved = true;
            if (!to.isOpen()) {
                ReferenceCountUtil.release(bytes);
                continue;
            }
            try {
                to.writeInbound(bytes);
            } catch (RuntimeException handshakeFailed) {
                // the SslHandler's failure reaches the tail of the pipeline; its handshake future says what it was
            }
        }
        for (Object read = to.readInbound(); read != null; read = to.readInbound()) {
            ReferenceCountUtil.release(read);
        }
        return moved;
    }

    private Path[] selfSigned(String keyType, String name) throws Exception {
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        selfSigned(keyType, name, cert, key);
        return new Path[] {cert, key};
    }

    /** Writes a self-signed certificate for CN={@code name} and its key with openssl (skipped, loudly, without it). */
    static void selfSigned(String keyType, String name, Path cert, Path key) throws Exception {
        List<String> command = keyType.equals("ed25519") || keyType.equals("ed448") || keyType.equals("rsa-pss")
                ? List.of("openssl", "req", "-x509", "-newkey", keyType, "-nodes", "-keyout", key.toString(), "-out",
                        cert.toString(), "-days", "1", "-subj", "/CN=" + name)
                : keyType.equals("ec")
                ? List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=" + name)
                : List.of("openssl", "req", "-x509", "-newkey", keyType, "-nodes", "-keyout", key.toString(), "-out",
                        cert.toString(), "-days", "1", "-subj", "/CN=" + name);
        Process openssl;
        try {
            openssl = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "SKIPPED: openssl is not installed, so no certificate: " + e);
            return;
        }
        try {
            assertTrue(openssl.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
        } finally {
            openssl.destroyForcibly();
        }
        assertEquals(0, openssl.exitValue(), "openssl req failed");
    }
}
