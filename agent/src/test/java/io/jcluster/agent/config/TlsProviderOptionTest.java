package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** tls-provider=: auto by default, openssl or jdk when given, with tls-cert only; a bad value is one line. */
class TlsProviderOptionTest {

    private final FakeMachine machine = new FakeMachine().file("/certs/cert.pem", "c").file("/certs/key.pem", "k");

    private static final String TLS = "mode=http,tls-cert=/certs/cert.pem,tls-key=/certs/key.pem";

    private Options.TlsProvider provider(String argument) throws OptionException {
        return OptionParser.parse(argument, machine).http().tlsProvider();
    }

    private String failure(String argument) {
        return assertThrows(OptionException.class, () -> OptionParser.parse(argument, machine)).getMessage();
    }

    @Test
    void autoUnlessGiven() throws OptionException {
        assertEquals(Options.TlsProvider.AUTO, provider(TLS));
        assertEquals(Options.TlsProvider.AUTO, provider("mode=http"), "the default, without tls-cert too");
        assertEquals(Options.TlsProvider.AUTO, provider(TLS + ",tls-provider=auto"));
        assertEquals(Options.TlsProvider.OPENSSL, provider(TLS + ",tls-provider=openssl"));
        assertEquals(Options.TlsProvider.JDK, provider(TLS + ",tls-provider=jdk"));
        assertEquals(Options.TlsProvider.JDK, provider("mode=grpc,tls-cert=/certs/cert.pem,tls-key=/certs/key.pem,"
                + "tls-provider=jdk"));
    }

    @Test
    void aBadValueIsOneLineNamingWhatIsAccepted() {
        assertEquals("tls-provider=boringssl: expected auto, openssl or jdk", failure(TLS + ",tls-provider=boringssl"));
        assertEquals("tls-provider=OpenSSL: expected auto, openssl or jdk", failure(TLS + ",tls-provider=OpenSSL"));
        assertEquals("tls-provider=jdk: tls-provider may be given only once (it was also tls-provider=openssl)",
                failure(TLS + ",tls-provider=openssl,tls-provider=jdk"));
    }

    @Test
    void withoutTlsCertItIsRefusedRatherThanIgnored() {
        assertEquals("tls-provider=openssl: needs tls-cert (it chooses who terminates the parent's TLS; without"
                + " tls-cert there is none)", failure("mode=http,tls-provider=openssl"));
        assertEquals("tls-provider=jdk: needs tls-cert (it chooses who terminates the parent's TLS; without"
                + " tls-cert there is none)", failure("tls-provider=jdk"));
    }
}
