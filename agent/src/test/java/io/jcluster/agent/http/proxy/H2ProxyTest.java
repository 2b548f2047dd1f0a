package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.h2.H2ProxyConnection;
import io.jcluster.agent.http.h2.H2Limits;
import io.jcluster.agent.http.h2.H2TestClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 streams through the http mode's own per-request proxy (what {@link HttpFrontend} sets up on an h2
 * connection), to workers that are EmbeddedChannels: the request as the worker gets it, the worker's HTTP/1.1
 * response as frames, and the proxy's error answers on a stream.
 */
class H2ProxyTest {

    private final FakeUpstream upstream = new FakeUpstream(2);
    private final Backend first = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();

    private EmbeddedChannel pooledWorker(Backend backend) {
        EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));
        pool.offer(backend, worker);
        return worker;
    }

    private H2TestClient connect(FakeUpstream upstream) {
        return connect(upstream, settings());
    }

    private H2TestClient connect(FakeUpstream upstream, HttpSettings settings) {
        EmbeddedChannel server = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(), true,
                false);
        server.config().setAutoRead(false);
        BackendConnectionPool shared = pool; // the loop's pool, shared by the streams as HttpFrontend's would be
        // one set of forwarding headers for all the connection's streams, as HttpFrontend makes it
        ForwardedHeaders forwarded = HttpProxyHandler.forwardedHeaders(server, settings, upstream);
        H2ProxyConnection.install(server.pipeline(), new H2Limits(100, HttpSettings.MAX_REQUEST_HEADERS,
                        Duration.ofSeconds(60), Duration.ofSeconds(30)), HttpSettings.MAX_RESPONSE_HEADERS,
                stream -> new StreamClient(stream, settings, upstream, shared, forwarded));
        server.pipeline().addFirst(new InLoop());
        return new H2TestClient(server).preface().send();
    }

    /**
     * Runs what a worker does as one event of the client connection's loop, as a real event loop does: an
     * EmbeddedChannel otherwise runs its pending tasks (a stream's close, which Netty posts for later) inside a
     * flush, in the middle of the proxy's own call.
     */
    private static final class InLoop extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Runnable) {
                ((Runnable) msg).run();
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }

    private static void fromWorker(H2TestClient client, Runnable worker) {
        client.server.writeInbound(worker);
        client.receive();
    }

    @Test
    void aStreamIsAccessLoggedAsHttp2() {
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        io.jcluster.agent.log.AccessLog log = io.jcluster.agent.log.AccessLog.to(written, false, 64);
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream, settings().withAccessLog(log));
        client.headers(1, H2TestClient.get("/logged"), true).send();
        drain(worker);
        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
        assertTrue(client.sawFrame("HEADERS 1 :status=200"), client.frames::toString);
        log.close();
        String line = written.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(line.contains("\"GET /logged HTTP/2.0\" 200 "), line);
    }

    @Test
    void aStreamReachesAWorkerWithTheForwardingHeadersAndAChunkedResponseComesBackAsData() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/a").add("x-forwarded-for", "6.6.6.6"), true).send();

        String request = drain(worker);
        assertTrue(request.startsWith("GET /a HTTP/1.1\r\n"), request);
        assertTrue(request.contains("host: example.com\r\n"), request);
        assertTrue(request.contains("x-forwarded-for: ") && !request.contains("6.6.6.6"),
                "the client's own forwarding header is not passed on: " + request);

        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "X-App: 1\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")));
        assertTrue(client.sawFrame("HEADERS 1 :status=200"), client.frames::toString);
        String head = client.frames.stream().filter(f -> f.startsWith("HEADERS 1")).findFirst().orElseThrow();
        assertTrue(head.contains("x-app: 1") && !head.contains("transfer-encoding"), head);
        assertEquals("hello world", client.bodies.toString());
        assertTrue(client.frames.get(client.frames.size() - 1).endsWith(" end"), client.frames::toString);
        assertEquals(1, pool.idle(first), "the worker connection went back to the pool");
        assertTrue(client.server.isOpen());
    }

    @Test
    void streamsOfOneConnectionWithDifferentHostsEachGetTheirOwnForwardedHost() {
        FakeUpstream single = new FakeUpstream(1);
        EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(single.backends[0], pool));
        pool.offer(single.backends[0], worker);
        H2TestClient client = connect(single);
        String[] hosts = {"a.example", "b.example", "a.example", "c.example"};
        for (int i = 0; i < hosts.length; i++) {
            client.headers(1 + 2 * i, H2TestClient.get("/" + i).authority(hosts[i]), true).send();
            String request = drain(worker);
            assertTrue(request.startsWith("GET /" + i + " ") && request.contains("host: " + hosts[i] + "\r\n")
                    && request.contains("x-forwarded-host: " + hosts[i] + "\r\n")
                    && request.contains(";host=" + hosts[i] + ";")
                    && request.indexOf("x-forwarded-host: ") == request.lastIndexOf("x-forwarded-host: "),
                    "stream " + (1 + 2 * i) + " gets its own Host in its forwarding headers: " + request);
            fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
            assertTrue(client.sawFrame("HEADERS " + (1 + 2 * i) + " :status=200"), client.frames::toString);
        }
    }

    @Test
    void aRequestBodyGoesToTheWorkerChunked() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/up").method("POST"), false).data(1, "abc", false).data(1, "de", true)
                .send();
        String request = drain(worker);
        assertTrue(request.startsWith("POST /up HTTP/1.1\r\n") && request.contains("transfer-encoding: chunked")
                && request.endsWith("\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), request);
        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")));
        assertTrue(client.sawFrame("HEADERS 1 :status=201 end") || client.frames.contains("DATA 1 0 end"),
                client.frames::toString);
        assertEquals(1, pool.idle(first), "the worker connection went back to the pool");
    }

    private static String head(H2TestClient client, int stream) {
        return client.frames.stream().filter(f -> f.startsWith("HEADERS " + stream + " ")).findFirst().orElseThrow();
    }

    /**
     * The worker's head, scanned once by the exchange, is framed from its scanned fields with the ones the proxy
     * adds (a sticky cookie, X-Cache in place of the worker's own) and without the ones it drops.
     */
    @Test
    void theScannedHeadGoesOutWithTheProxysOwnFields() {
        io.jcluster.agent.http.cache.ResponseCache cache = new io.jcluster.agent.http.cache.ResponseCache(1 << 20,
                64 << 10);
        try {
            EmbeddedChannel worker = pooledWorker(first);
            HttpSettings sticky = FakeUpstream.settings(Duration.ofSeconds(10), Duration.ofSeconds(60),
                    Duration.ofSeconds(60), Duration.ofSeconds(60), "cookie").withCache(cache, true);
            H2TestClient client = connect(upstream, sticky);
            client.headers(1, H2TestClient.get("/a"), true).send();
            drain(worker);
            fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nX-Cache: HIT\r\n"
                    + "Keep-Alive: timeout=5\r\nX-App: 1\r\nContent-Length: 2\r\n\r\nok")));
            String head = head(client, 1);
            assertTrue(head.contains("set-cookie: ") && head.contains("x-cache: MISS") && head.contains("x-app: 1")
                    && head.contains("content-length: 2"), head);
            assertFalse(head.contains("HIT") || head.contains("keep-alive"), head);
            assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
        } finally {
            cache.close();
        }
    }

    /**
     * send-timeout on a stream: a client that never grants a stream flow-control window (a slow-read attack) gets
     * that stream reset after send-timeout and its worker connection closed, not pooled; another stream of the same
     * connection is answered as usual, and the connection stays.
     */
    @Test
    void aStreamWhoseWindowIsNeverGrantedIsResetAfterSendTimeoutWhileAnotherCompletes() throws Exception {
        H2TestClient client = connect(upstream, settings(Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(50), "off"));
        client.initialWindow(0).send(); // each stream the server sends on starts with no window at all
        EmbeddedChannel stalled = pooledWorker(first);
        client.headers(1, H2TestClient.get("/big"), true).send();
        assertTrue(drain(stalled).startsWith("GET /big "));
        fromWorker(client, () -> stalled.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")));
        assertTrue(client.sawFrame("HEADERS 1 :status=200"), client.frames::toString);
        assertFalse(client.sawFrame("DATA 1"), client.frames::toString);

        EmbeddedChannel other = pooledWorker(first);
        client.headers(3, H2TestClient.get("/small"), true).windowUpdate(3, 100).send();
        assertTrue(drain(other).startsWith("GET /small "));
        fromWorker(client, () -> other.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
        assertTrue(client.frames.contains("DATA 3 2 end"), client.frames::toString);

        Thread.sleep(150);
        client.receive().receive(); // the timer, then the connection's flush it asked for
        assertTrue(client.sawFrame("RST 1 "), client.frames::toString);
        assertFalse(client.sawFrame("RST 3") || client.sawFrame("GOAWAY"), client.frames::toString);
        assertFalse(stalled.isOpen(), "the cut response's worker connection is closed");
        assertTrue(other.isOpen());
        assertEquals(1, pool.idle(first), "only the answered stream's worker connection went back to the pool");
        assertTrue(client.server.isOpen());
    }

    /** A body the worker ends by closing: no chunks on a stream, the worker's close is the stream's end. */
    @Test
    void aBodyEndedByTheWorkersCloseEndsTheStream() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/a"), true).send();
        drain(worker);
        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc")));
        assertTrue(client.frames.contains("DATA 1 3"), client.frames::toString);
        assertFalse(head(client, 1).contains("transfer-encoding") || head(client, 1).contains("connection"),
                head(client, 1));
        fromWorker(client, () -> worker.writeInbound(ascii("de")));
        fromWorker(client, worker::close);
        assertEquals("abcde", client.bodies.toString());
        assertTrue(client.frames.contains("DATA 1 0 end"), client.frames::toString);
    }

    /** Trailers both ways: the client's as the chunked request's trailer section, the worker's as HEADERS. */
    @Test
    void trailersGoThroughBothWays() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/up").method("POST"), false).data(1, "abc", false)
                .headers(1, new io.netty.handler.codec.http2.DefaultHttp2Headers(false).add("x-sum", "9"), true)
                .send();
        String request = drain(worker);
        assertTrue(request.endsWith("\r\n\r\n3\r\nabc\r\n0\r\nx-sum: 9\r\n\r\n"), request);
        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\nGrpc-Status: 0\r\n\r\n")));
        assertTrue(client.frames.contains("DATA 1 2"), client.frames::toString);
        String last = client.frames.get(client.frames.size() - 1);
        assertTrue(last.startsWith("HEADERS 1 :status=null end") && last.contains("grpc-status: 0"),
                client.frames::toString);
        assertEquals(1, pool.idle(first), "the worker connection went back to the pool");
    }

    @Test
    void aHeadResponseEndsTheStreamWithoutABody() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/a").method("HEAD"), true).send();
        assertTrue(drain(worker).startsWith("HEAD /a HTTP/1.1\r\n"));
        fromWorker(client, () -> worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")));
        assertEquals(1, pool.idle(first), "the worker connection went back to the pool");
        assertTrue(client.sawFrame("HEADERS 1 :status=200 end") || client.frames.contains("DATA 1 0 end"),
                client.frames::toString);
    }

    @Test
    void noWorkerInRotationIsA503OnTheStreamAndTheConnectionStays() {
        H2TestClient client = connect(new FakeUpstream(0));
        client.headers(1, H2TestClient.get("/a"), true).send();
        assertTrue(client.sawFrame("HEADERS 1 :status=503"), client.frames::toString);
        assertTrue(client.bodies.length() > 0, "a one-line body says why");
        assertTrue(client.server.isOpen(), "one stream's error is not the connection's");
    }

    @Test
    void aWorkerThatClosesBeforeAnsweringAPostIsA502OnThatStreamOnly() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/order").method("POST").set("content-length", "0"), true).send();
        assertFalse(drain(worker).isEmpty());
        fromWorker(client, worker::close);
        assertTrue(client.sawFrame("HEADERS 1 :status=502"), client.frames::toString);
        assertTrue(client.server.isOpen());
    }

    @Test
    void aClientResetMidBodyClosesTheWorkerConnection() {
        EmbeddedChannel worker = pooledWorker(first);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/up").method("POST").set("content-length", "10"), false)
                .data(1, "abc", false).send();
        assertTrue(drain(worker).endsWith("\r\n\r\nabc"));
        client.reset(1).send();
        assertFalse(worker.isOpen(), "a half-sent body leaves the worker connection out of step");
        assertEquals(0, pool.idle(first));
    }

    /** Counts the reads the proxy asks of a worker connection. */
    private static final class Reads extends io.netty.channel.ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }

    @Test
    void aStreamWhoseClientTakesNothingPausesItsOwnWorkerOnlyAndTheOtherStreamsGoOn() {
        Reads reads1 = new Reads();
        Reads reads2 = new Reads();
        EmbeddedChannel w1 = new EmbeddedChannel(reads1, new BackendResponseHandler(first, pool));
        EmbeddedChannel w2 = new EmbeddedChannel(reads2, new BackendResponseHandler(first, pool));
        w1.config().setAutoRead(false); // as backend connections are: the proxy asks for each read
        w2.config().setAutoRead(false);
        pool.offer(first, w1);
        pool.offer(first, w2);
        H2TestClient client = connect(upstream);
        client.headers(1, H2TestClient.get("/big"), true).send();
        EmbeddedChannel big = drain(w1).startsWith("GET /big") ? w1 : w2;
        assertTrue(big == w1 || drain(w2).startsWith("GET /big"));
        client.headers(3, H2TestClient.get("/small"), true).send();
        EmbeddedChannel small = big == w1 ? w2 : w1;
        assertTrue(drain(small).startsWith("GET /small"));

        int size = 300_000;
        // the worker's first 100 kB: more than the stream's window, so the stream's channel is full
        fromWorker(client, () -> big.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"
                + "a".repeat(100_000))));
        int sent = client.bodies.length();
        assertTrue(sent <= 65_535, "no more than the stream's window: " + sent);

        // the client's connection window grows (its library read the bytes), the stream's does not: the other
        // stream is answered in full
        client.windowUpdate(0, 1 << 20).send();
        fromWorker(client, () -> small.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall")));
        assertTrue(client.frames.contains("DATA 3 5 end"), client.frames::toString);
        assertFalse(client.frames.stream().anyMatch(f -> f.startsWith("DATA 1 ") && f.endsWith(" end")));

        // the slow stream's client takes its bytes: the worker is read again, and the rest comes
        client.windowUpdate(1, size).send();
        fromWorker(client, () -> big.writeInbound(ascii("a".repeat(size - 100_000))));
        assertTrue(client.frames.stream().anyMatch(f -> f.startsWith("DATA 1 ") && f.endsWith(" end")),
                client.frames::toString);
        assertEquals(size + 5, client.bodies.length());
    }
}
