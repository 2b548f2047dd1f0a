package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the app gets of the forwarding headers: a client's own are removed and replaced whatever their spelling; a
 * trusted proxy's are kept, X-Forwarded-For and Forwarded appended to.
 */
class ForwardedHeadersTest {

    /** The headers a client uses to lie about itself, each with a value the app must never see. */
    private static final String SPOOFED = "X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6;host=evil;proto=https\r\n"
            + "X-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\nX-Real-IP: 6.6.6.6\r\n"
            + "X-Forwarded-Prefix: /evil\r\nX-Forwarded-Ssl: on\r\nX-Forwarded-Server: evil\r\n"
            + "X-Forwarded-By: 6.6.6.6\r\nX-Forwarded-Scheme: https\r\nX-Forwarded-Protocol: ssl\r\n"
            + "X-Url-Scheme: https\r\nX-Proxied-Https: on\r\nFront-End-Https: on\r\nX-Client-IP: 6.6.6.6\r\n"
            + "Client-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\nCF-Connecting-IP: 6.6.6.6\r\n"
            + "Fastly-Client-IP: 6.6.6.6\r\nX-Cluster-Client-IP: 6.6.6.6\r\nX-Original-Forwarded-For: 6.6.6.6\r\n"
            + "X-Forwarded-Client-Cert: Hash=evil\r\nssl_client_cert: evil\r\nssl_client_escaped_cert: evil\r\n"
            + "SSL_CIPHER: evil\r\nssl_session_id: evil\r\nSSL_CIPHER_USEKEYSIZE: 256\r\nProxy-ssl-id: evil\r\n"
            + "Proxy-auth-cert: evil\r\n";

    @Test
    void everyForwardingHeaderOfAClientIsReplacedByWhatTheParentKnows() throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: app.example\r\nAccept: */*\r\n" + SPOOFED + "X-Keep: 1\r\n\r\n",
                "203.0.113.9", false, false);
        assertEquals("GET / HTTP/1.1\r\nHost: app.example\r\nAccept: */*\r\nX-Keep: 1\r\n"
                + "x-forwarded-for: 203.0.113.9\r\nx-forwarded-proto: http\r\nx-forwarded-port: 8080\r\n"
                + "x-forwarded-host: app.example\r\nforwarded: for=203.0.113.9;host=app.example;proto=http\r\n"
                + "x-real-ip: 203.0.113.9\r\n\r\n", written);
        // every name of the list is in the request above, so this test covers each
        for (String name : ForwardingHeaderNames.NAMES) {
            assertTrue(SPOOFED.toLowerCase(Locale.ROOT).replace('_', '-').contains("\n" + name + ":")
                    || SPOOFED.toLowerCase(Locale.ROOT).startsWith(name + ":"), name);
        }
    }

    /**
     * The response cache's key holds what a trusted proxy says about the app's URL (the app sees it), in the order
     * sent, and nothing of a client's (dropped); deciding a line allocates nothing (the hit path's budget is the key).
     */
    @Test
    void theCacheKeyHoldsATrustedProxysUrlHeadersOnlyAndDecidingAllocatesNothing() throws Exception {
        String request = "GET /p?q HTTP/1.1\r\nHost: App.example\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Proto: https\r\n"
                + "X_Forwarded_Host: a.example\r\nX-Forwarded-Port: 443\r\nForwarded: proto=https\r\n"
                + "X-Forwarded-Prefix: /app\r\nX-Real-IP: 1.2.3.4\r\nFront-End-Https: on\r\nAccept: */*\r\n\r\n";
        MessageHead head = new MessageHead(true, 8192, 1 << 20);
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        in.release();
        InetAddress peer = InetAddress.getByName("127.0.0.1");
        ForwardedHeaders trusted = new ForwardedHeaders(peer, false, 8080, true);
        io.jcluster.agent.http.cache.CacheRequest cache = new io.jcluster.agent.http.cache.CacheRequest();
        cache.read(head, false, trusted);
        assertEquals("http://app.example/p?q\nx-forwarded-proto:https\nx_forwarded_host:a.example\n"
                + "x-forwarded-port:443\nforwarded:proto=https\nx-forwarded-prefix:/app\nfront-end-https:on", cache.key());
        cache.read(head, false, new ForwardedHeaders(peer, false, 8080, false));
        assertEquals("http://app.example/p?q", cache.key());

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int sink = 0;
        for (int i = 0; i < head.count(); i++) {
            sink += trusted.keyed(head, i) ? 1 : 0; // warm up
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int round = 0; round < 10_000; round++) {
            for (int i = 0; i < head.count(); i++) {
                sink += trusted.keyed(head, i) ? 1 : 0;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(6 * 10_001, sink);
        assertTrue(allocated < 4096, allocated + " bytes allocated by 10,000 x " + head.count() + " decisions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X_Forwarded_For", "x-forwarded_for", "X-FORWARDED-FOR", "x_forwarded_host", "FORWARDED",
            "X_REAL_IP", "x_forwarded_proto", "True_Client_IP", "ssl-client-cert", "SSL_CLIENT_CERT", "X-Forwarded-SSL",
            "cf_connecting_ip"})
    void spellingsThatAStackMayReadAsTheSameHeaderAreRemovedToo(String name) throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: h\r\n" + name + ": 6.6.6.6\r\n\r\n", "127.0.0.1", false, false);
        assertFalse(written.contains("6.6.6.6"), written);
        assertFalse(written.contains(name + ":"), written);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-Fo", "X-Forwarded-Forx", "X-Forwarded", "Forwarded-For", "X.Forwarded.For",
            "XForwardedFor", "X-Real-IPs", "Client-IPv6", "Real-IP"})
    void namesThatAreNotForwardingHeadersPassUntouched(String name) throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: h\r\n" + name + ": kept\r\n\r\n", "127.0.0.1", false, false);
        assertTrue(written.contains("\r\n" + name + ": kept\r\n"), written);
    }

    @Test
    void aTrustedProxyKeepsWhatItSentAndThePeerIsAppended() throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: internal:8080\r\n"
                + "X-Forwarded-For: 198.51.100.1, 198.51.100.2\r\nForwarded: for=198.51.100.1;proto=https\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nX-Forwarded-Port: 443\r\n"
                + "X-Forwarded-Prefix: /shop\r\nx_forwarded_for: 198.51.100.3\r\n\r\n", "10.1.2.3", false, true);
        assertEquals("GET / HTTP/1.1\r\nHost: internal:8080\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nX-Forwarded-Port: 443\r\n"
                + "X-Forwarded-Prefix: /shop\r\n"
                + "x-forwarded-for: 198.51.100.1, 198.51.100.2, 198.51.100.3, 10.1.2.3\r\n"
                + "forwarded: for=198.51.100.1;proto=https, for=10.1.2.3;host=\"internal:8080\";proto=http\r\n"
                // no X-Real-IP came: the last X-Forwarded-For entry the proxy sent, the client it saw
                + "x-real-ip: 198.51.100.3\r\n\r\n", written);
    }

    @Test
    void aTrustedProxyThatSendsNothingGetsTheParentsHeaders() throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "10.1.2.3", true, true);
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nx-forwarded-for: 10.1.2.3\r\nx-forwarded-proto: https\r\n"
                + "x-forwarded-port: 8080\r\nx-forwarded-host: h\r\nforwarded: for=10.1.2.3;host=h;proto=https\r\n"
                + "x-real-ip: 10.1.2.3\r\n\r\n", written);
    }

    @Test
    void aTrustedProxysOwnXRealIpIsKept() throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: h\r\nX-Real-IP: 198.51.100.7\r\n"
                + "X-Forwarded-For: 198.51.100.7 , \r\n\r\n", "10.1.2.3", false, true);
        assertTrue(written.contains("\r\nX-Real-IP: 198.51.100.7\r\n"), written);
        assertFalse(written.contains("x-real-ip:"), written);
        assertTrue(written.contains("\r\nx-forwarded-for: 198.51.100.7 ,, 10.1.2.3\r\n"), "values as sent: " + written);
    }

    @Test
    void aHeaderAClientNamesInConnectionIsGoneAndStillReplaced() throws Exception {
        // hop-by-hop removal runs first; a trusted peer's X-Real-IP named in Connection is not "kept" then
        String written = forward("GET / HTTP/1.1\r\nHost: h\r\nConnection: X-Real-IP\r\nX-Real-IP: 6.6.6.6\r\n\r\n",
                "10.1.2.3", false, true);
        assertFalse(written.contains("6.6.6.6"), written);
        assertTrue(written.contains("\r\nx-real-ip: 10.1.2.3\r\n"), written);
    }

    @Test
    void ipv6PeersAreListedPlainAndBracketedInForwarded() throws Exception {
        String written = forward("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\nX-Forwarded-For: ::6\r\n\r\n",
                "2001:db8::9", false, false);
        assertTrue(written.contains("\r\nx-forwarded-for: 2001:db8:0:0:0:0:0:9\r\n"), written);
        assertTrue(written.contains("\r\nforwarded: for=\"[2001:db8:0:0:0:0:0:9]\";host=\"[2001:db8::1]:8080\";proto=http\r\n"),
                written);
        assertTrue(written.contains("\r\nx-real-ip: 2001:db8:0:0:0:0:0:9\r\n"), written);
        assertFalse(written.contains("::6"), written);
    }

    @Test
    void manyForwardingLinesAmongManyOthersAreAllFound() throws Exception {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            request.append("X-Forwarded-For: 6.6.6.").append(i).append("\r\n");
            request.append(i % 2 == 0 ? "x_real_ip" : "True-Client-IP").append(": 6.6.6.").append(i).append("\r\n");
            String other = "X-Other-" + i + ": " + i;
            kept.add(other);
            request.append(other).append("\r\n");
        }
        String written = forward(request.append("\r\n").toString(), "127.0.0.1", false, false);
        assertFalse(written.contains("6.6.6."), written);
        for (String line : kept) {
            assertTrue(written.contains("\r\n" + line + "\r\n"), line);
        }
        String trusted = forward(request.toString(), "127.0.0.1", false, true);
        assertTrue(trusted.contains("\r\nx-forwarded-for: 6.6.6.0, 6.6.6.1, "), trusted);
        assertTrue(trusted.contains(", 6.6.6.99, 127.0.0.1\r\n"), trusted);
    }

    @Test
    void requestsOnOneConnectionDoNotLeakIntoEachOther() throws Exception {
        ForwardedHeaders forwarded = new ForwardedHeaders(InetAddress.getByName("10.1.2.3"), false, 8080, true);
        String first = forward(forwarded, "GET / HTTP/1.1\r\nHost: a\r\nX-Real-IP: 198.51.100.7\r\n"
                + "X-Forwarded-Proto: https\r\n\r\n");
        assertFalse(first.contains("x-real-ip:"), first);
        assertFalse(first.contains("x-forwarded-proto:"), first);
        String second = forward(forwarded, "GET / HTTP/1.1\r\nHost: b\r\n\r\n");
        assertTrue(second.contains("\r\nx-real-ip: 10.1.2.3\r\n"), second);
        assertTrue(second.contains("\r\nx-forwarded-proto: http\r\n"), second);
        assertTrue(second.contains("\r\nx-forwarded-host: b\r\n"), second);
    }

    private static String forward(String request, String peer, boolean secure, boolean trusted) throws Exception {
        return forward(new ForwardedHeaders(InetAddress.getByName(peer), secure, 8080, trusted), request);
    }

    /** The request's head as the worker gets it, through the handler's own steps. */
    private static String forward(ForwardedHeaders forwarded, String request) {
        MessageHead head = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE, 1 << 20);
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        try {
            assertEquals(MessageHead.COMPLETE, head.scan(in), head.error());
            HopByHopHeaders.drop(head, false);
            forwarded.drop(head);
            ByteBuf out = HeadWriter.begin(Unpooled.buffer().alloc(), head, forwarded.room(), false);
            forwarded.write(out, head, null);
            HeadWriter.end(out);
            String written = out.toString(StandardCharsets.ISO_8859_1);
            out.release();
            return written;
        } finally {
            in.release();
        }
    }
}
