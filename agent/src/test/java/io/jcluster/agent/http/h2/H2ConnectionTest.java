package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One HTTP/2 connection driven by raw frames: streams as HTTP/1.1 requests, and the connection's limits. */
class H2ConnectionTest {

    static final String OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi";

    /**
     * Stands for the http mode's proxy on a stream: records the HTTP/1.1 bytes of its stream's request, answers with
     * {@code answer}. Kept with its stream object for the connection's next stream: each stream starts it afresh.
     */
    static final class FakeProxy implements StreamHandler {
        final StringBuilder got = new StringBuilder();
        final String answer;
        final H2Stream stream;
        /** The stream ended (and the handler heard it). */
        boolean closed;
        int streamsServed;
        private boolean answered;

        FakeProxy(H2Stream stream, String answer) {
            this.stream = stream;
            this.answer = answer;
        }

        /** The head the stream writes its request's fields into. */
        final MessageHead head = new MessageHead(true, 8 * 1024, 16 * 1024);

        @Override
        public MessageHead requestHead() {
            return head;
        }

        /** The request head as the proxy writes it on (a refused one as "refused: " and the rule). */
        @Override
        public void started(int outcome) {
            got.setLength(0);
            answered = false;
            closed = false;
            streamsServed++;
            if (outcome != RequestHead.READY) {
                got.append("refused: ").append(head.violation());
                return;
            }
            ByteBuf bytes = HeadWriter.begin(Unpooled.buffer(), head, false);
            HeadWriter.end(bytes);
            requestBytes(bytes);
        }

        @Override
        public void requestBytes(ByteBuf bytes) {
            got.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
            if (answer != null && !answered && got.indexOf("\r\n\r\n") >= 0) {
                answered = true;
                stream.write(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
                stream.flush();
            }
        }

        /** Whether it asks for more of the request (false: as a proxy whose worker takes nothing). */
        boolean reading = true;

        @Override
        public void readComplete() {
            if (reading) {
                stream.read();
            }
        }

        @Override
        public void writabilityChanged() {
        }

        @Override
        public void ended() {
            closed = true;
        }

        @Override
        public void discarded() {
        }
    }

    final List<FakeProxy> streams = new ArrayList<>();

    Function<H2Stream, StreamHandler> answering(String answer) {
        return stream -> {
            FakeProxy proxy = new FakeProxy(stream, answer);
            streams.add(proxy);
            return proxy;
        };
    }

    static H2Limits limits(int maxStreams) {
        return new H2Limits(maxStreams, 16 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    static H2TestClient connect(H2Limits limits, Function<H2Stream, StreamHandler> streamHandler) {
        // accepted by a server channel, as every client connection is (Netty's multiplexer tells a server by that)
        EmbeddedChannel server = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(), true,
                false);
        server.config().setAutoRead(false);
        H2ProxyConnection.install(server.pipeline(), limits, 64 * 1024, streamHandler);
        return new H2TestClient(server).preface().send();
    }

    @Test
    void aStreamIsOneHttp11RequestAndItsResponseComesBackAsFrames() {
        H2TestClient client = connect(limits(100), answering(OK));
        client.headers(1, H2TestClient.get("/hello?x=1").add("x-app", "a").add("cookie", "a=1").add("cookie", "b=2"),
                true).send();

        String request = streams.get(0).got.toString();
        assertTrue(request.startsWith("GET /hello?x=1 HTTP/1.1\r\n"), request);
        assertTrue(request.contains("host: example.com\r\n"), request);
        assertTrue(request.contains("x-app: a\r\n"), request);
        assertTrue(request.contains("cookie: a=1; b=2\r\n"), request); // RFC 9113 section 8.2.3: joined for HTTP/1.1
        assertFalse(request.contains("x-http2") || request.contains(":authority"), request);
        assertTrue(request.endsWith("\r\n\r\n"), request);
        assertTrue(client.sawFrame("HEADERS 1 :status=200 "), client.frames::toString);
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
        assertEquals("hi", client.bodies.toString());
    }

    @Test
    void aClientsHeadersNamedLikeNettysStreamExtensionsAreDropped() {
        H2TestClient client = connect(limits(100), answering(OK));
        client.headers(1, H2TestClient.get("/").add("x-http2-stream-id", "7").add("x-http2-scheme", "http"), true)
                .send();
        assertFalse(streams.get(0).got.toString().contains("x-http2"), streams.get(0).got::toString);
    }

    @Test
    void aBodyWithoutContentLengthGoesChunkedAndEndsWithTheStream() {
        H2TestClient client = connect(limits(100), answering(null));
        Http2Headers post = H2TestClient.get("/upload").method("POST");
        client.headers(1, post, false).data(1, "hello", false).data(1, "world", true).send();
        String request = streams.get(0).got.toString();
        assertTrue(request.startsWith("POST /upload HTTP/1.1\r\n"), request);
        assertTrue(request.contains("transfer-encoding: chunked\r\n"), request);
        assertTrue(request.endsWith("\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), request);
    }

    @Test
    void aBodyShorterThanItsContentLengthResetsTheStreamAndItsEndNeverReachesTheProxy() {
        H2TestClient client = connect(limits(100), answering(null));
        Http2Headers post = H2TestClient.get("/upload").method("POST").set("content-length", "10");
        client.headers(1, post, false).data(1, "abc", false).data(1, "de", true).send();
        // RFC 9113 section 8.1.1: malformed, reset; the proxy got a head promising 10 bytes, 3 of them, then the
        // stream's end: it closes its worker connection mid-body (the worker sees a request cut short, not two)
        assertTrue(client.frames.contains("RST 1 PROTOCOL_ERROR"), client.frames::toString);
        String request = streams.get(0).got.toString();
        assertTrue(request.contains("content-length: 10\r\n") && request.endsWith("\r\n\r\nabc"), request);
        assertTrue(streams.get(0).closed);
    }

    @Test
    void aBodyLongerThanItsContentLengthResetsTheStreamBeforeTheExcessIsPassedOn() {
        H2TestClient client = connect(limits(100), answering(null));
        Http2Headers post = H2TestClient.get("/upload").method("POST").set("content-length", "3");
        client.headers(1, post, false).data(1, "abc", false).data(1, "GET /smuggled HTTP/1.1", true).send();
        assertTrue(client.frames.contains("RST 1 PROTOCOL_ERROR"), client.frames::toString);
        String request = streams.get(0).got.toString();
        assertTrue(request.endsWith("\r\n\r\nabc") && !request.contains("smuggled"), request);
    }

    @Test
    void connectionSpecificHeadersAreMalformedAndResetTheStream() {
        for (String[] header : new String[][] {{"connection", "keep-alive"}, {"transfer-encoding", "chunked"},
                {"keep-alive", "5"}, {"upgrade", "websocket"}, {"proxy-connection", "x"}, {"te", "gzip"}}) {
            streams.clear();
            H2TestClient client = connect(limits(100), answering(OK));
            client.headers(1, H2TestClient.get("/").add(header[0], header[1]), true).send();
            assertTrue(client.sawFrame("RST 1 PROTOCOL_ERROR") || client.sawFrame("GOAWAY"),
                    header[0] + ": " + client.frames);
            assertTrue(streams.isEmpty(), header[0]); // nothing reached the proxy
        }
    }

    @Test
    void teTrailersIsAllowed() {
        H2TestClient client = connect(limits(100), answering(OK));
        client.headers(1, H2TestClient.get("/").add("te", "trailers"), true).send();
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    @Test
    void aStreamOverMaxConcurrentStreamsIsRefused() {
        H2TestClient client = connect(limits(2), answering(null)); // the proxies never answer: streams stay open
        client.headers(1, H2TestClient.get("/a"), true).headers(3, H2TestClient.get("/b"), true)
                .headers(5, H2TestClient.get("/c"), true).send();
        assertTrue(client.frames.contains("RST 5 REFUSED_STREAM"), client.frames::toString);
        assertEquals(2, streams.size());
        assertTrue(client.server.isOpen());
    }

    @Test
    void theServerAnnouncesItsLimitsInItsSettings() {
        H2TestClient client = connect(limits(7), answering(OK));
        String settings = client.frames.get(0);
        assertTrue(settings.startsWith("SETTINGS") && settings.contains("MAX_CONCURRENT_STREAMS=7")
                && settings.contains("MAX_HEADER_LIST_SIZE=16384"), settings);
    }

    @Test
    void gracefulStopSendsGoAwayAndLetsTheStreamInProgressFinish() {
        H2TestClient client = connect(limits(100), answering(null));
        client.headers(1, H2TestClient.get("/slow"), true).send();
        H2ProxyConnection connection = client.server.pipeline().get(H2ProxyConnection.class);
        connection.closeIfIdle();
        client.receive();
        assertTrue(client.frames.contains("GOAWAY 1 NO_ERROR"), client.frames::toString);
        assertTrue(client.server.isOpen());

        // the stream answers: then the connection closes
        FakeProxy proxy = streams.get(0);
        assertFalse(proxy.closed);
        proxyWrite(client, proxy, OK);
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
        assertFalse(client.server.isOpen());
    }

    private static void proxyWrite(H2TestClient client, FakeProxy proxy, String response) {
        proxy.stream.write(Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1));
        proxy.stream.flush();
        client.receive();
    }

    @Test
    void aConnectionWithoutAStreamForIdleTimeoutIsClosedWithGoAway() {
        H2TestClient client = connect(limits(100), answering(OK));
        client.headers(1, H2TestClient.get("/"), true).send();
        client.server.advanceTimeBy(59, java.util.concurrent.TimeUnit.SECONDS);
        client.server.runScheduledPendingTasks();
        assertTrue(client.server.isOpen(), "a stream ended just now");
        client.server.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        client.server.runScheduledPendingTasks();
        client.receive();
        assertTrue(client.sawFrame("GOAWAY 1 NO_ERROR"), client.frames::toString);
        assertFalse(client.server.isOpen());
    }

    @Test
    void theIdleTimeoutCountsFromTheLastStreamsEndNotFromTheFirstIdleMoment() {
        H2TestClient client = connect(limits(100), answering(null));
        java.util.concurrent.TimeUnit s = java.util.concurrent.TimeUnit.SECONDS;
        client.server.advanceTimeBy(30, s); // idle since the preface: the one timer is due at 60 s
        client.headers(1, H2TestClient.get("/slow"), true).send();
        client.server.advanceTimeBy(20, s);
        proxyWrite(client, streams.get(0), OK); // the stream ends at 50 s: idle from there
        client.server.advanceTimeBy(15, s); // 65 s: the timer fired, found the connection idle for 15 s only
        client.server.runScheduledPendingTasks();
        assertTrue(client.server.isOpen(), "idle for 15 s of 60");
        client.headers(3, H2TestClient.get("/slow"), true).send();
        client.server.advanceTimeBy(100, s); // an open stream: the timer re-armed at 65 s fires and stays off
        client.server.runScheduledPendingTasks();
        assertTrue(client.server.isOpen(), "a stream is open");
        proxyWrite(client, streams.get(0), OK); // 165 s
        client.server.advanceTimeBy(59, s);
        client.server.runScheduledPendingTasks();
        assertTrue(client.server.isOpen(), "idle for 59 s of 60");
        client.server.advanceTimeBy(2, s);
        client.server.runScheduledPendingTasks();
        client.receive();
        assertTrue(client.sawFrame("GOAWAY 3 NO_ERROR"), client.frames::toString);
        assertFalse(client.server.isOpen());
    }

    @Test
    void anOpenStreamKeepsTheConnectionPastIdleTimeout() {
        H2TestClient client = connect(limits(100), answering(null));
        client.headers(1, H2TestClient.get("/slow"), true).send();
        client.server.advanceTimeBy(120, java.util.concurrent.TimeUnit.SECONDS);
        client.server.runScheduledPendingTasks();
        assertTrue(client.server.isOpen());
    }

    @Test
    void aClientThatClosesItsSideEndsTheConnectionAtOnceItsStuckStreamsWithIt() {
        H2TestClient client = connect(limits(100), answering(null));
        client.headers(1, H2TestClient.get("/slow"), true).send();
        assertTrue(client.server.isOpen());
        client.server.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        client.server.runPendingTasks();
        client.receive();
        assertFalse(client.server.isOpen(), "not held for shutdown-timeout for a stream no client will take");
        assertTrue(streams.get(0).closed, "the stream (and the worker connection behind it) is closed too");
    }
}
