package io.jcluster.agent.admin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AdminAccessTest {

    private static final AdminAccess LOOPBACK = AdminAccess.of(new InetSocketAddress("127.0.0.1", 9090), null);

    private static Integer status(AdminAccess access, String... headers) {
        return status(access, HttpVersion.HTTP_1_1, headers);
    }

    private static Integer status(AdminAccess access, HttpVersion version, String... headers) {
        HttpHeaders given = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            given.add(headers[i], headers[i + 1]);
        }
        AdminAccess.Refusal refusal = access.check(version, given);
        return refusal == null ? null : refusal.status().code();
    }

    @Test
    void toolsThatNameTheEndpointPass() {
        assertNull(status(LOOPBACK, "Host", "127.0.0.1:9090"));
        assertNull(status(LOOPBACK, "Host", "localhost:9090"));
        assertNull(status(LOOPBACK, "Host", "LocalHost:9090"));
        assertNull(status(LOOPBACK, "Host", "[::1]:9090"));
        assertNull(status(LOOPBACK, "Host", "[0:0:0:0:0:0:0:1]:9090"));
        // a page typed in the browser's address bar (no Origin on a navigation GET)
        assertNull(status(LOOPBACK, "Host", "127.0.0.1:9090", "Sec-Fetch-Site", "none"));
        assertNull(status(LOOPBACK, "Host", "127.0.0.1:9090", "Sec-Fetch-Site", "same-origin"));
        assertNull(status(LOOPBACK, HttpVersion.HTTP_1_0), "HTTP/1.0 may omit Host; no browser does");
    }

    @Test
    void webPagesAreRefused() {
        // fetch('http://127.0.0.1:9090/scale?processes=100000', {method: 'POST', mode: 'no-cors'})
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Origin", "https://evil.example",
                "Sec-Fetch-Site", "cross-site"));
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Origin", "https://evil.example"));
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Origin", "null"));
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Origin", "http://127.0.0.1:9090"),
                "the endpoint serves no page, so not even its own origin");
        // <img src=...>: no Origin on a no-cors GET, but Sec-Fetch-Site
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Sec-Fetch-Site", "cross-site"));
        assertEquals(403, status(LOOPBACK, "Host", "127.0.0.1:9090", "Sec-Fetch-Site", "same-site"));
    }

    @Test
    void aHostThatNamesAnotherServerIsRefused() {
        assertEquals(421, status(LOOPBACK, "Host", "evil.example:9090"), "DNS rebinding");
        assertEquals(421, status(LOOPBACK, "Host", "127.0.0.1:9091"));
        assertEquals(421, status(LOOPBACK, "Host", "127.0.0.1"), "port 80 implied");
        assertEquals(421, status(LOOPBACK, "Host", "127.0.0.1:"));
        assertEquals(400, status(LOOPBACK), "HTTP/1.1 needs Host (RFC 9112 section 3.2)");
        assertEquals(400, status(LOOPBACK, "Host", "127.0.0.1:9090", "Host", "evil.example:9090"));
    }

    @Test
    void theHostNamesOfEachKindOfBind() throws UnknownHostException {
        assertEquals(Set.of("127.0.0.1", "localhost", "[0:0:0:0:0:0:0:1]"),
                AdminAccess.hostNames(new InetSocketAddress("127.0.0.1", 9090)));
        assertEquals(Set.of("10.1.2.3"), AdminAccess.hostNames(
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 9090)));
        assertEquals(Set.of("10.1.2.3", "admin.internal"), AdminAccess.hostNames(new InetSocketAddress(
                InetAddress.getByAddress("admin.internal", new byte[] {10, 1, 2, 3}), 9090)));
        assertNull(AdminAccess.hostNames(new InetSocketAddress("0.0.0.0", 9090)), "a wildcard: any name (token required)");
        AdminAccess v6 = AdminAccess.of(new InetSocketAddress("2001:db8::5", 9090), "t");
        assertNull(status(v6, "Host", "[2001:db8::5]:9090", "Authorization", "Bearer t"), "however the literal is written");
        assertNull(status(v6, "Host", "[2001:DB8:0:0::5]:9090", "Authorization", "Bearer t"));
        assertEquals(421, status(v6, "Host", "[2001:db8::6]:9090", "Authorization", "Bearer t"));
        AdminAccess wildcard = AdminAccess.of(new InetSocketAddress("0.0.0.0", 9090), "t");
        assertNull(status(wildcard, "Host", "node1.example:9090", "Authorization", "Bearer t"));
        assertEquals(403, status(wildcard, "Host", "node1.example:9090", "Authorization", "Bearer t",
                "Origin", "http://node1.example:9090"));
    }

    @Test
    void theTokenIsCheckedLast() {
        AdminAccess access = AdminAccess.of(new InetSocketAddress("127.0.0.1", 9090), "s3cret");
        assertEquals(401, status(access, "Host", "127.0.0.1:9090"));
        assertEquals(401, status(access, "Host", "127.0.0.1:9090", "Authorization", "Bearer wrong"));
        assertNull(status(access, "Host", "127.0.0.1:9090", "Authorization", "Bearer s3cret"));
        assertEquals(403, status(access, "Host", "127.0.0.1:9090", "Authorization", "Bearer s3cret",
                "Origin", "https://evil.example"));
    }
}
