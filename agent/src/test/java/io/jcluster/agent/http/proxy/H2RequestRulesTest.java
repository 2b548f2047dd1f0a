package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.h2.H2Limits;
import io.jcluster.agent.http.h2.H2ProxyConnection;
import io.jcluster.agent.http.h2.H2TestClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/1.1 rules an HTTP/2 request's fields go through on their way to a worker (h2.RequestHead writes them into
 * the exchange's head, each line read by the rules an HTTP/1.1 client's head is read by), through the whole proxy:
 * a real client's HPACK, Netty's decoder, the exchange, a worker that is an EmbeddedChannel. Each field here is one
 * Netty's decoder lets through, so that the proxy's own rules are what is tested.
 */
class H2RequestRulesTest {

    private final FakeUpstream upstream = new FakeUpstream(1);
    private final Backend backend = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();
    private final EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));

    H2RequestRulesTest() {
        pool.offer(backend, worker);
    }

    private H2TestClient connect() {
        EmbeddedChannel server = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(), true,
                false);
        server.config().setAutoRead(false);
        HttpSettings settings = settings();
        ForwardedHeaders forwarded = HttpProxyHandler.forwardedHeaders(server, settings, upstream);
        H2ProxyConnection.install(server.pipeline(), new H2Limits(100, HttpSettings.MAX_REQUEST_HEADERS,
                        Duration.ofSeconds(60), Duration.ofSeconds(30)), HttpSettings.MAX_RESPONSE_HEADERS,
                stream -> new StreamClient(stream, settings, upstream, pool, forwarded));
        server.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Runnable) {
                    ((Runnable) msg).run();
                } else {
                    ctx.fireChannelRead(msg);
                }
            }
        });
        return new H2TestClient(server).preface().send();
    }

    /** The request as the worker got it ("" when nothing reached it). */
    private String toWorker(Http2Headers request) {
        H2TestClient client = connect();
        client.headers(1, request, true).send();
        last = client;
        return drain(worker);
    }

    private H2TestClient last;

    private static Http2Headers get() {
        return new DefaultHttp2Headers(false).method("GET").scheme("https").path("/p").authority("example.com");
    }

    /** Forwarding fields a client forged are never passed on as if a proxy had vouched for them (trusted-proxies unset). */
    @Test
    void forgedForwardingFieldsFromAnUntrustedClientAreReplaced() {
        String request = toWorker(get().add("x-forwarded-for", "6.6.6.6").add("forwarded", "for=6.6.6.6")
                .add("x-forwarded-host", "evil.example").add("x-forwarded-proto", "gopher")
                .add("x-forwarded-port", "1"));
        for (String forged : new String[] {"6.6.6.6", "evil.example", "gopher", "x-forwarded-port: 1\r\n"}) {
            assertFalse(request.contains(forged), forged + " in " + request);
        }
        assertEquals(1, count(request, "x-forwarded-for: "), request);
        assertEquals(1, count(request, "forwarded: for="), request);
        assertTrue(request.contains("x-forwarded-host: example.com\r\n"), request);
    }

    /** RFC 9110 section 7.6.1: te and trailer describe the client's connection, not the request. */
    @Test
    void hopByHopFieldsAreNotPassedOn() {
        String request = toWorker(get().add("te", "trailers").add("trailer", "x-sum").add("x-app", "1"));
        assertTrue(request.startsWith("GET /p HTTP/1.1\r\n") && request.contains("x-app: 1\r\n"), request);
        assertFalse(request.contains("te: ") || request.contains("trailer: "), request);
    }

    /** RFC 9113 section 8.2.2: a connection-specific field makes the request malformed; nothing reaches a worker. */
    @Test
    void aConnectionSpecificFieldResetsTheStream() {
        for (String name : new String[] {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                "upgrade"}) {
            assertEquals("", toWorker(get().add(name, "chunked")), name);
            assertTrue(last.sawFrame("RST 1 PROTOCOL_ERROR") || last.sawFrame("GOAWAY"), last.frames::toString);
        }
    }

    /** A control character other than HTAB in a value (RFC 9110 section 5.5) never reaches a worker. */
    @Test
    void aControlCharacterInAValueResetsTheStream() {
        for (String value : new String[] {"a\u0001b", "a\u007fb", "a\u000bb", "a\u001bb"}) {
            assertEquals("", toWorker(get().add("x-app", value)), value);
            assertTrue(last.sawFrame("RST 1 PROTOCOL_ERROR") || last.sawFrame("GOAWAY"), last.frames::toString);
            assertEquals("", toWorker(get().add("cookie", "a=1").add("cookie", value)), value);
            assertTrue(last.sawFrame("RST 1 PROTOCOL_ERROR") || last.sawFrame("GOAWAY"), last.frames::toString);
        }
    }

    /** RFC 9112 section 3.2: a host the worker could read otherwise is answered 400, never forwarded. */
    @Test
    void anInvalidHostIsA400() {
        assertEquals("", toWorker(new DefaultHttp2Headers(false).method("GET").scheme("https").path("/p")
                .add("host", "evil.example/x")));
        assertTrue(last.sawFrame("HEADERS 1 :status=400"), last.frames::toString);
        assertEquals("", toWorker(get().authority("a.example").path("http://b.example/p")));
        assertTrue(last.sawFrame("HEADERS 1 :status=400"), last.frames::toString);
        assertEquals("", toWorker(new DefaultHttp2Headers(false).method("GET").scheme("https").path("/p")));
        assertTrue(last.sawFrame("HEADERS 1 :status=400"), last.frames::toString); // no host at all
    }

    /** The request line's limit holds for :method and :path (Netty's header list limit is twice as large). */
    @Test
    void aPathOverTheRequestLineLimitIsRefused() {
        assertEquals("", toWorker(get().path("/" + "a".repeat(HttpSettings.MAX_REQUEST_LINE))));
        assertTrue(last.sawFrame("HEADERS 1 :status=414"), last.frames::toString);
    }

    /** RFC 9113 section 8.2.3: the crumbs go as one cookie line; a client's own host beside :authority is left out. */
    @Test
    void cookieCrumbsAreOneLineAndTheAuthorityIsTheOneHost() {
        String request = toWorker(get().add("cookie", "a=1").add("host", "other.example").add("cookie", "b=2"));
        assertTrue(request.contains("cookie: a=1; b=2\r\n") && request.contains("host: example.com\r\n"), request);
        assertEquals(1, count(request, "cookie: "), request);
        assertFalse(request.contains("other.example"), request);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
