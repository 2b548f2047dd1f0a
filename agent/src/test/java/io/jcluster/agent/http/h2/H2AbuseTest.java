package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.jcluster.agent.http.h2.H2ConnectionTest.OK;
import static io.jcluster.agent.http.h2.H2ConnectionTest.connect;
import static io.jcluster.agent.http.h2.H2ConnectionTest.limits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 floods and bombs that cost a server memory or CPU for little of the client's, each bounded (the limits
 * are Netty's, set in {@link H2ProxyConnection}): each test sends more than its limit allows and expects the
 * connection (or stream) ended before the proxy behind it saw anything.
 */
class H2AbuseTest {

    private static final byte HEADERS = 0x1;
    private static final byte CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;
    private static final int END_STREAM = 0x1;

    private final List<H2ConnectionTest.FakeProxy> streams = new ArrayList<>();

    private Function<H2Stream, StreamHandler> proxies() {
        return stream -> {
            H2ConnectionTest.FakeProxy proxy = new H2ConnectionTest.FakeProxy(stream, OK);
            streams.add(proxy);
            return proxy;
        };
    }

    /** CVE-2023-44487: streams opened and reset at once, never counting against max-concurrent-streams. */
    @Test
    void rapidResetClosesTheConnection() {
        H2TestClient client = connect(limits(100), proxies());
        int stream = 1;
        for (int i = 0; i < H2Limits.MAX_RESETS + 50; i++, stream += 2) {
            client.headers(stream, H2TestClient.get("/"), false).reset(stream);
        }
        client.send();
        assertTrue(client.sawFrame("GOAWAY") && client.frames.stream().anyMatch(f -> f.contains("ENHANCE_YOUR_CALM")),
                client.frames.subList(Math.max(0, client.frames.size() - 3), client.frames.size())::toString);
        assertFalse(client.server.isOpen());
    }

    /** Resets below the limit are ordinary cancellations: the connection stays. */
    @Test
    void resetsBelowTheLimitAreFine() {
        H2TestClient client = connect(limits(100), proxies());
        int stream = 1;
        for (int i = 0; i < 50; i++, stream += 2) {
            client.headers(stream, H2TestClient.get("/"), false).reset(stream);
        }
        client.send();
        assertTrue(client.server.isOpen());
        assertFalse(client.sawFrame("GOAWAY"), client.frames::toString);
    }

    /**
     * HPACK bomb: one large field goes into the dynamic table once and is then referenced with one byte each time;
     * a few kilobytes on the wire decode to far more than max header list size.
     */
    @Test
    void anHpackBombIsRefusedBeforeItReachesTheProxy() {
        H2TestClient client = connect(limits(100), proxies());
        Http2Headers bomb = H2TestClient.get("/");
        String big = "x".repeat(4000);
        for (int i = 0; i < 100; i++) {
            bomb.add("x-bomb", big); // the client's encoder indexes it and then refers to it: 400 kB decoded
        }
        client.headers(1, bomb, true).send();
        // Netty answers 431 and resets the stream (its child channel is made for the 431, but nothing of the
        // request reaches the proxy on it)
        assertTrue(streams.stream().allMatch(proxy -> proxy.got.length() == 0), "the proxy got a request");
        assertTrue(client.sawFrame("HEADERS 1 :status=431"), client.frames::toString);
    }

    /** A header list just under the limit is a request like any other. */
    @Test
    void aHeaderListUnderTheLimitIsServed() {
        H2TestClient client = connect(limits(100), proxies());
        Http2Headers headers = H2TestClient.get("/");
        headers.add("x-big", "y".repeat(8000));
        client.headers(1, headers, true).send();
        assertEquals(1, streams.size());
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    /** CVE-2024-27316 class: a header block that never ends, CONTINUATION after CONTINUATION, all held in memory. */
    @Test
    void anEndlessHeaderBlockClosesTheConnection() {
        H2TestClient client = connect(limits(100), proxies());
        client.raw(HEADERS, 1, END_STREAM, indexedGets(100));
        for (int i = 0; i < 5; i++) { // 45 kB of header block, past the 16 kB limit (and its quarter more), in
            // frames too large to count as small ones (see the next test)
            client.raw(CONTINUATION, 1, 0, indexedGets(9000));
        }
        client.send();
        assertTrue(client.sawFrame("GOAWAY"), client.frames::toString);
        assertFalse(client.server.isOpen());
        assertTrue(streams.isEmpty());
    }

    /** The same flood with empty CONTINUATION frames: no bytes to count, so their number is bounded. */
    @Test
    void emptyContinuationFramesCloseTheConnection() {
        H2TestClient client = connect(limits(100), proxies());
        client.raw(HEADERS, 1, END_STREAM, indexedGets(1));
        for (int i = 0; i < 1000; i++) {
            client.raw(CONTINUATION, 1, 0, Unpooled.EMPTY_BUFFER);
        }
        client.send();
        assertTrue(client.sawFrame("GOAWAY"), client.frames::toString);
        assertFalse(client.server.isOpen());
    }

    /** A header block in a few CONTINUATION frames is fine. */
    @Test
    void aHeaderBlockInContinuationFramesIsServed() {
        H2TestClient client = connect(limits(100), proxies());
        // :method GET (static 2), :scheme https (7), :path / (4), :authority (1) literal "a"
        client.raw(HEADERS, 1, END_STREAM, Unpooled.wrappedBuffer(new byte[] {(byte) 0x82, (byte) 0x87}))
                .raw(CONTINUATION, 1, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0x84}))
                .raw(CONTINUATION, 1, END_HEADERS, Unpooled.wrappedBuffer(new byte[] {0x01, 0x01, 'a'}))
                .send();
        assertEquals(1, streams.size());
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    /**
     * A client that sends but does not read: the socket takes no more of what the server writes (its writes stay
     * pending, as they do when the peer's receive window is full).
     */
    private static final class StalledSocket extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // nothing leaves
        }
    }

    private H2TestClient connectNotReading() {
        H2TestClient client = connect(limits(100), proxies());
        client.server.pipeline().addFirst(new StalledSocket());
        return client;
    }

    /** PING flood: each asks for an answer; a client that does not read makes them pile up. */
    @Test
    void aPingFloodClosesTheConnection() {
        H2TestClient client = connectNotReading();
        for (int i = 0; i < H2Limits.MAX_QUEUED_CONTROL_FRAMES + 1000; i++) {
            client.ping(i);
        }
        client.send();
        assertFalse(client.server.isOpen());
    }

    /** SETTINGS flood: each asks for an acknowledgement. */
    @Test
    void aSettingsFloodClosesTheConnection() {
        H2TestClient client = connectNotReading();
        for (int i = 0; i < H2Limits.MAX_QUEUED_CONTROL_FRAMES + 1000; i++) {
            client.settings();
        }
        client.send();
        assertFalse(client.server.isOpen());
    }

    /** Some pings, answered: the connection stays. */
    @Test
    void afewPingsAreAnswered() {
        H2TestClient client = connect(limits(100), proxies());
        for (int i = 0; i < 100; i++) {
            client.ping(i);
        }
        client.send();
        assertTrue(client.server.isOpen());
        assertEquals(100, client.frames.stream().filter("PING-ACK"::equals).count());
    }

    /** {@code count} times the static table's {@code :method: GET} (index 2): one byte each, 42 bytes decoded. */
    private static ByteBuf indexedGets(int count) {
        byte[] block = new byte[count];
        java.util.Arrays.fill(block, (byte) 0x82);
        return Unpooled.wrappedBuffer(block);
    }
}
