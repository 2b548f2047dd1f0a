package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Transport;
import io.jcluster.agent.config.HttpOptions;
import io.jcluster.agent.config.Options;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.codec.http2.Http2SecurityUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads tls-cert and tls-key (PEM) and checks them before anything starts: a certificate file without a
 * certificate, a key in a form the JDK cannot read, or a key that does not belong to the certificate each stop
 * the launch with one line that says which file and what to do. Who does the TLS work is tls-provider='s choice
 * ({@link #provider}): OpenSSL (BoringSSL, Netty's tcnative, shaded into the agent jar) costs a fraction of the
 * JDK's CPU per record and handshake (bench/RESULTS.md); both get the same protocols, cipher suites and ALPN.
 */
public final class TlsContext {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN ([A-Z ]*PRIVATE KEY)-----");

    private TlsContext() {
    }

    /** A problem with the files; the message is the whole line to show. */
    public static final class TlsException extends Exception {
        private static final long serialVersionUID = 1L;

        TlsException(String message) {
            super(message);
        }
    }

    /**
     * Who does the TLS work on this machine, as tls-provider= chose it.
     *
     * @param ssl         Netty's provider: {@link SslProvider#OPENSSL}, whose engines and contexts free their native
     *                    memory when collected (a SIGHUP's replaced context stays alive while a connection uses it,
     *                    so it cannot be released by hand at the swap), or {@link SslProvider#JDK}
     * @param description for the startup line: "OpenSSL (BoringSSL)" or "the JDK"
     * @param note        with auto, why not OpenSSL (a line to show); null otherwise
     */
    public record Provider(SslProvider ssl, String description, String note) {
    }

    private static final Provider JDK = new Provider(SslProvider.JDK, "the JDK", null);

    /**
     * Netty's OpenSSL picks the certificate for a handshake by these key types only; an EdDSA or RSASSA-PSS key (which
     * the JDK serves) would fail every handshake or not load.
     */
    private static final java.util.Set<String> OPENSSL_KEYS = java.util.Set.of("RSA", "EC");

    /**
     * For the launch's tls-cert/tls-key (the key is read again here: cheap, once at start).
     *
     * @throws TlsException when tls-provider=openssl and OpenSSL cannot be used here or with this key; the message
     *                      says why, or when the key cannot be read
     */
    public static Provider provider(HttpOptions http) throws TlsException {
        return provider(http.tlsProvider(), privateKey(http.tlsKey()).getAlgorithm());
    }

    private static Provider provider(Options.TlsProvider choice, String keyAlgorithm) throws TlsException {
        return choice == Options.TlsProvider.JDK ? JDK : provider(choice, keyAlgorithm, whyNoOpenSsl());
    }

    /** @param unavailable why OpenSSL cannot be used on this machine, or null when it can */
    static Provider provider(Options.TlsProvider choice, String keyAlgorithm, String unavailable)
            throws TlsException {
        if (choice == Options.TlsProvider.JDK) {
            return JDK;
        }
        if (unavailable == null && !OPENSSL_KEYS.contains(keyAlgorithm)) {
            unavailable = "Netty's OpenSSL serves RSA and EC keys only, and tls-key holds an " + keyAlgorithm + " key";
        }
        if (unavailable == null) {
            return new Provider(SslProvider.OPENSSL, "OpenSSL (" + OpenSsl.versionString() + ")", null);
        }
        if (choice == Options.TlsProvider.OPENSSL) {
            throw new TlsException("tls-provider=openssl: OpenSSL cannot be used here: " + unavailable + "; fix that,"
                    + " or use tls-provider=auto or jdk for the JDK's TLS");
        }
        return new Provider(SslProvider.JDK, "the JDK", "TLS by the JDK, not OpenSSL: " + unavailable
                + " (fix that for OpenSSL's lower CPU cost per request)");
    }

    /** For the startup line: "OpenSSL (BoringSSL)" or "the JDK". */
    public static String describe(HttpOptions http) {
        try {
            return provider(http).description();
        } catch (TlsException e) {
            return "none (" + e.getMessage() + ")";
        }
    }

    /** Why OpenSSL cannot be used here, or null when it can (it loads once per JVM, on the first call). */
    private static String whyNoOpenSsl() {
        if (!Transport.nativeAccessAllowedQuietly()) {
            // loading it anyway would print the JDK's warning about a restricted method
            return "on JDK 24+ native code needs --enable-native-access=ALL-UNNAMED on the java command line";
        }
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            String text = cause == null ? "no reason given" : String.valueOf(cause.getMessage() != null
                    ? cause.getMessage() : cause);
            int newline = text.indexOf('\n');
            return "netty-tcnative did not load: " + (newline < 0 ? text : text.substring(0, newline))
                    + "; the jar bundles it for Linux x86_64 and aarch64 (glibc)";
        }
        return null;
    }

    /**
     * @param h2       whether ALPN offers h2 before http/1.1 (http2=on)
     * @param provider tls-provider=
     */
    public static SslContext load(Path certFile, Path keyFile, boolean h2, Options.TlsProvider provider)
            throws TlsException {
        X509Certificate[] chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        SslProvider ssl = provider(provider, key.getAlgorithm()).ssl();
        if (!matches(key, chain[0].getPublicKey())) {
            throw new TlsException("tls-key=" + keyFile + ": this key does not belong to the certificate in tls-cert="
                    + certFile + " (" + chain[0].getSubjectX500Principal().getName() + "); give the key the"
                    + " certificate was issued for");
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                    .sslProvider(ssl)
                    .protocols("TLSv1.3", "TLSv1.2")
                    // ECDHE with an AEAD cipher only, with either provider and whether h2 is offered or not (as
                    // Mozilla's "intermediate" profile): RFC 9113 section 9.2.2 requires those for h2 over TLS 1.2,
                    // and OpenSSL's default list would also take RSA key exchange and CBC suites. The TLS 1.3
                    // suites all are AEAD with ephemeral keys.
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
            return builder.applicationProtocolConfig(h2
                            ? new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                            : new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                    ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new TlsException("tls-cert=" + certFile + ": cannot set up TLS with it and tls-key=" + keyFile + " ("
                    + e.getMessage() + ")");
        }
    }

    private static X509Certificate[] certificates(Path file) throws TlsException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException("tls-cert=" + file + ": not a PEM certificate file (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new TlsException("tls-cert=" + file + ": no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return certificates.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    private static PrivateKey privateKey(Path file) throws TlsException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsException("tls-key=" + file + ": cannot read it (" + e.getMessage() + ")");
        }
        Matcher matcher = PKCS8.matcher(pem);
        if (!matcher.find()) {
            Matcher other = OTHER_KEY.matcher(pem);
            String found = other.find() ? "it holds a " + other.group(1) : "no PEM private key in it";
            throw new TlsException("tls-key=" + file + ": " + found + "; expected an unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY): convert with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(1));
        } catch (IllegalArgumentException e) {
            throw new TlsException("tls-key=" + file + ": the key's base64 is damaged (" + e.getMessage() + ")");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new TlsException("tls-key=" + file + ": not an RSA, EC or EdDSA private key the JDK can read");
    }

    /** Signs a nonce with the key and checks it with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey certified) throws TlsException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        try {
            byte[] nonce = "jcluster tls-key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            signer.initVerify(certified);
            signer.update(nonce);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new TlsException("tls-key: cannot check the key against the certificate (" + e.getMessage() + ")");
        }
    }
}
