package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trusted-proxies=: the syntax in every place options come from, the ranges, and what is refused. */
class TrustedProxiesTest {

    private static final String ACCEPTS = Option.TRUSTED_PROXIES.accepts();

    @Test
    void noneByDefault() throws Exception {
        Options options = OptionParser.parse("mode=http");
        assertSame(TrustedProxies.NONE, options.http().trustedProxies());
        assertFalse(options.http().trustedProxies().contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(options.http().trustedProxies().contains(InetAddress.getByName("::1")));
    }

    @Test
    void aListInTheAgentArgumentIsCommaSeparatedOrARepeatedKey() throws Exception {
        TrustedProxies listed = OptionParser.parse("mode=http,trusted-proxies=10.0.0.0/8,192.168.1.5,fd00::/8,"
                + "processes=2").http().trustedProxies();
        assertEquals("10.0.0.0/8,192.168.1.5/32,fd00:0:0:0:0:0:0:0/8", listed.toString());
        TrustedProxies repeated = OptionParser.parse("trusted-proxies=10.0.0.0/8,mode=http,trusted-proxies=192.168.1.5,"
                + "trusted-proxies=fd00::/8").http().trustedProxies();
        assertEquals(listed.toString(), repeated.toString());
        assertEquals(listed, repeated);
        assertEquals(OptionParser.parse("mode=http,trusted-proxies=10.0.0.0/8"),
                OptionParser.parse("trusted-proxies=10.0.0.0/8,mode=http"), "options compare by value");
        // a piece without '=' continues only a list option; after any other it is the error it always was
        assertEquals("8443: expected key=value (known keys: " + Option.knownKeys() + ")",
                assertThrows(OptionException.class, () -> OptionParser.parse("processes=2,8443")).getMessage());
        assertEquals(List.of(8080, 8443), OptionParser.parse("port=8080,8443").proxy().ports());
    }

    @Test
    void aConfigFileAndTheStandaloneFlagTakeTheSameList(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jcluster.properties"),
                "mode=http\ntrusted-proxies=10.0.0.0/8, 192.168.1.5\n");
        assertEquals("10.0.0.0/8,192.168.1.5/32", OptionParser.parse("config=" + file).http().trustedProxies().toString());
        Options pairs = OptionParser.parsePairs(List.of(Map.entry("mode", "http"),
                Map.entry("trusted-proxies", "10.0.0.0/8,192.168.1.5"), Map.entry("trusted-proxies", "[::1]")));
        assertEquals("10.0.0.0/8,192.168.1.5/32,0:0:0:0:0:0:0:1/128", pairs.http().trustedProxies().toString());
    }

    @Test
    void rangesMatchTheirAddressesAndNoOthers() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.5", "172.16.0.0/12",
                "2001:db8:aa::/48", "::1", "fe80::/10"));
        for (String inside : List.of("10.0.0.0", "10.255.255.255", "10.1.2.3", "192.168.1.5", "172.16.0.1",
                "172.31.255.255", "2001:db8:aa::1", "2001:db8:aa:ffff:ffff:ffff:ffff:ffff", "::1", "fe80::1",
                "febf::1", "::ffff:10.9.8.7")) {
            assertTrue(trusted.contains(InetAddress.getByName(inside)), inside);
        }
        for (String outside : List.of("11.0.0.0", "9.255.255.255", "192.168.1.4", "192.168.1.6", "172.32.0.0",
                "127.0.0.1", "2001:db8:ab::1", "2001:db8:a9:ffff::1", "::2", "fec0::1", "0.0.0.0", "::")) {
            assertFalse(trusted.contains(InetAddress.getByName(outside)), outside);
        }
    }

    @Test
    void anIpv4PeerSeenAsIpv4MappedIpv6MatchesItsIpv4Range() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 7;
        InetAddress peer = java.net.Inet6Address.getByAddress(null, mapped, -1); // not converted to Inet4Address
        assertTrue(peer instanceof java.net.Inet6Address);
        assertTrue(TrustedProxies.parse(List.of("10.0.0.0/8")).contains(peer));
        assertFalse(TrustedProxies.parse(List.of("11.0.0.0/8")).contains(peer));
        assertFalse(TrustedProxies.parse(List.of("::/1")).contains(peer), "IPv6 ranges do not take it");
    }

    @Test
    void zeroPrefixesTrustEverythingOfTheirFamily() throws Exception {
        TrustedProxies v4 = TrustedProxies.parse(List.of("0.0.0.0/0"));
        assertTrue(v4.contains(InetAddress.getByName("203.0.113.9")));
        assertFalse(v4.contains(InetAddress.getByName("2001:db8::1")));
        TrustedProxies v6 = TrustedProxies.parse(List.of("::/0"));
        assertTrue(v6.contains(InetAddress.getByName("2001:db8::1")));
        assertFalse(v6.contains(InetAddress.getByName("203.0.113.9")));
        TrustedProxies v6Long = TrustedProxies.parse(List.of("2001:db8::1:0/112"));
        assertTrue(v6Long.contains(InetAddress.getByName("2001:db8::1:ffff")));
        assertFalse(v6Long.contains(InetAddress.getByName("2001:db8::2:0")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33          | trusted-proxies=10.0.0.0/33: the prefix length must be 0-32 for an IPv4 address; expected {ACCEPTS}",
            "10.0.0.0/-1          | trusted-proxies=10.0.0.0/-1: the prefix length must be 0-32 for an IPv4 address; expected {ACCEPTS}",
            "10.0.0.0/            | trusted-proxies=10.0.0.0/: the prefix length must be 0-32 for an IPv4 address; expected {ACCEPTS}",
            "fd00::/129           | trusted-proxies=fd00::/129: the prefix length must be 0-128 for an IPv6 address; expected {ACCEPTS}",
            "10.0.0.1/8           | trusted-proxies=10.0.0.1/8: 10.0.0.1 has bits set past the /8 prefix; write the range as 10.0.0.0/8 (or the single address without a prefix)",
            "fd00::1/8            | trusted-proxies=fd00::1/8: fd00::1 has bits set past the /8 prefix; write the range as fd00:0:0:0:0:0:0:0/8 (or the single address without a prefix)",
            "proxy.example        | trusted-proxies=proxy.example: not an IP address or CIDR range (host names are not accepted); expected {ACCEPTS}",
            "localhost            | trusted-proxies=localhost: not an IP address or CIDR range (host names are not accepted); expected {ACCEPTS}",
            "256.1.1.1            | trusted-proxies=256.1.1.1: not an IPv4 address (four numbers 0-255, no leading zeros); expected {ACCEPTS}",
            "010.0.0.1            | trusted-proxies=010.0.0.1: not an IPv4 address (four numbers 0-255, no leading zeros); expected {ACCEPTS}",
            "10.1                 | trusted-proxies=10.1: not an IP address or CIDR range (host names are not accepted); expected {ACCEPTS}",
            "1:2:3                | trusted-proxies=1:2:3: not an IPv6 address; expected {ACCEPTS}",
            "fe80::1%eth0         | trusted-proxies=fe80::1%eth0: not an IP address or CIDR range (host names are not accepted); expected {ACCEPTS}",
            "::ffff:10.0.0.1      | trusted-proxies=::ffff:10.0.0.1: an IPv4-mapped IPv6 address; write the IPv4 address or range instead; expected {ACCEPTS}",
    })
    void aBadRangeIsOneLineNamingIt(String value, String message) {
        OptionException error = assertThrows(OptionException.class,
                () -> OptionParser.parse("mode=http,trusted-proxies=" + value));
        assertEquals(message.replace("{ACCEPTS}", ACCEPTS), error.getMessage());
        assertFalse(error.getMessage().contains("\n"));
    }

    @Test
    void itNeedsHttpModeAndTheProxy() {
        assertEquals("trusted-proxies=10.0.0.0/8: needs mode=http or grpc (in tcp mode the balancer does not read requests,"
                        + " so it neither adds nor removes forwarding headers)",
                assertThrows(OptionException.class, () -> OptionParser.parse("trusted-proxies=10.0.0.0/8")).getMessage());
        assertEquals("balancer=kernel has no proxy: trusted-proxies=10.0.0.0/8 needs balancer=proxy",
                assertThrows(OptionException.class,
                        () -> OptionParser.parse("balancer=kernel,trusted-proxies=10.0.0.0/8")).getMessage());
    }
}
