package io.jcluster.it;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Self-signed certificates for localhost, as the TLS tests hand them to tls-cert/tls-key, and a client trusting one. */
final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** A PKCS#12 keystore in {@code dir} with a fresh self-signed RSA certificate for localhost, made by the JDK's keytool. */
    static Path keyPair(Jdk jdk, Path dir, String alias) throws Exception {
        Path keystore = dir.resolve(alias + ".p12");
        Process keytool = new ProcessBuilder(jdk.java().resolveSibling("keytool").toString(), "-genkeypair",
                "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + output);
        return keystore;
    }

    /** The certificate, or its PKCS#8 private key, as a PEM file beside the keystore: {@code alias-cert.pem}/{@code alias-key.pem}. */
    static Path writePem(Path keystore, String alias, boolean certificate) throws Exception {
        KeyStore store = load(keystore);
        String pem;
        if (certificate) {
            pem = pem("CERTIFICATE", store.getCertificate(alias).getEncoded());
        } else {
            Key key = store.getKey(alias, PASSWORD);
            assertEquals("PKCS#8", key.getFormat());
            pem = pem("PRIVATE KEY", key.getEncoded());
        }
        return Files.writeString(keystore.resolveSibling(alias + (certificate ? "-cert.pem" : "-key.pem")), pem);
    }

    /** A client context that trusts the keystore's certificate. */
    static SSLContext trusting(Path keystore) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(keystore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyStore load(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        return store;
    }
}
