package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.jcluster.agent.http.h2.H2ConnectionTest.connect;
import static io.jcluster.agent.http.h2.H2ConnectionTest.limits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's response that the client's flow-control windows hold back: its handler, which pauses (as the proxy
 * stops reading its worker) when the stream is not writable, hears that it is writable again once the client
 * grants more window, on the stream (WINDOW_UPDATE on it, or SETTINGS_INITIAL_WINDOW_SIZE) or on the connection.
 */
class H2WritabilityTest {

    private static final int CHUNK = 8 * 1024;

    /** Writes its response body while the stream is writable, like the proxy relaying a worker's bytes. */
    final class Pump implements StreamHandler {
        final H2Stream stream;
        final int size;
        final MessageHead head = new MessageHead(true, 8 * 1024, 16 * 1024);
        int sent;
        int resumed;

        Pump(H2Stream stream, int size) {
            this.stream = stream;
            this.size = size;
        }

        @Override
        public MessageHead requestHead() {
            return head;
        }

        @Override
        public void started(int outcome) {
            sent = 0;
            resumed = 0;
            started.add(this);
            stream.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"));
            pump();
        }

        void pump() {
            while (sent < size && stream.isWritable()) {
                int n = Math.min(CHUNK, size - sent);
                stream.write(ascii("a".repeat(n)));
                sent += n;
            }
            stream.flush();
        }

        @Override
        public void requestBytes(ByteBuf bytes) {
            bytes.release();
        }

        @Override
        public void readComplete() {
        }

        @Override
        public void writabilityChanged() {
            resumed++;
            pump();
        }

        @Override
        public void ended() {
        }

        @Override
        public void discarded() {
        }
    }

    /** The handler of each stream, in the order they started (a handler serves the next stream once its own ended). */
    private final List<Pump> started = new ArrayList<>();

    private H2TestClient client(int size) {
        return connect(limits(100), stream -> new Pump(stream, size));
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static boolean ended(H2TestClient client, int stream) {
        return client.frames.stream().anyMatch(f -> f.startsWith("DATA " + stream + " ") && f.endsWith(" end"));
    }

    @Test
    void aStreamHeldByItsOwnWindowResumesAfterAWindowUpdateOnIt() {
        H2TestClient client = client(200_000);
        client.windowUpdate(0, 1 << 20).headers(1, H2TestClient.get("/big"), true).send();
        Pump pump = started.get(0);
        assertTrue(pump.sent < 200_000, "paused at the stream's window: " + pump.sent);
        assertTrue(client.bodies.length() <= 65_535, "no more than the stream's window: " + client.bodies.length());
        assertEquals(0, pump.resumed);

        client.windowUpdate(1, 50_000).send();
        assertTrue(pump.resumed > 0, "the window update resumed the stream's handler");
        client.windowUpdate(1, 200_000).send();
        assertEquals(200_000, pump.sent);
        assertEquals(200_000, client.bodies.length());
        assertTrue(ended(client, 1), client.frames::toString);
    }

    /** A stream reset while it waited: its stream object, serving the next stream, waits and resumes for that one. */
    @Test
    void aStreamObjectWhoseStreamWasResetWhileWaitingWaitsAnewForItsNextStream() {
        H2TestClient client = client(100_000);
        client.windowUpdate(0, 1 << 20).headers(1, H2TestClient.get("/a"), true).send();
        assertTrue(started.get(0).sent < 100_000);
        client.reset(1).send();
        client.headers(3, H2TestClient.get("/b"), true).send();
        assertEquals(2, started.size());
        Pump pump = started.get(1);
        assertTrue(pump == started.get(0) && pump.sent < 100_000, "the same object, held by the new window");
        client.windowUpdate(3, 100_000).send();
        assertTrue(pump.resumed > 0);
        assertTrue(ended(client, 3), client.frames::toString);
    }

    @Test
    void aStreamHeldByTheConnectionsWindowResumesAfterAWindowUpdateOnTheConnection() {
        H2TestClient client = client(50_000);
        // each stream's window is large; the connection's is the default 65,535: the second stream fills it
        client.initialWindow(1 << 20).headers(1, H2TestClient.get("/a"), true).send();
        client.headers(3, H2TestClient.get("/b"), true).send();
        Pump second = started.get(1);
        assertTrue(ended(client, 1), client.frames::toString);
        assertFalse(ended(client, 3), client.frames::toString);
        assertEquals(0, second.resumed);

        client.windowUpdate(0, 1 << 20).send();
        assertTrue(second.resumed > 0, "the connection's window update resumed the stream's handler");
        assertTrue(ended(client, 3), client.frames::toString);
        assertEquals(100_000, client.bodies.length());
    }

    @Test
    void aStreamThatStartsWithoutWindowResumesWhenTheInitialWindowGrows() {
        H2TestClient client = client(20_000);
        client.windowUpdate(0, 1 << 20).initialWindow(0).headers(1, H2TestClient.get("/a"), true).send();
        Pump pump = started.get(0);
        assertEquals(0, client.bodies.length());
        assertEquals(0, pump.resumed);

        client.initialWindow(65_535).send(); // RFC 9113 section 6.9.2: the change applies to open streams too
        assertTrue(pump.resumed > 0, "the larger initial window resumed the stream's handler");
        assertTrue(ended(client, 1), client.frames::toString);
        assertEquals(20_000, client.bodies.length());
    }
}
