package io.jcluster.agent.http.h2;

import org.junit.jupiter.api.Test;

import static io.jcluster.agent.http.h2.H2ConnectionTest.connect;
import static io.jcluster.agent.http.h2.H2ConnectionTest.limits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response frames {@link DirectFrames} writes itself, read back by a client's frame reader and HPACK decoder:
 * a head larger than one frame, and heads it encodes between heads Netty's encoder writes (1xx, trailers) on one
 * connection, whose HPACK dynamic table must stay one.
 */
class DirectFramesTest {

    private final H2ConnectionTest fixture = new H2ConnectionTest();

    /**
     * The proxy ends a stream with endAfter and no flush of its own (as its exchange does after the last bytes): the
     * last frame, which closed the stream as it was written, still goes out in the connection's flush.
     */
    @Test
    void theLastFrameIsFlushedWhenTheHandlerEndsTheStreamWithoutAFlush() {
        H2TestClient client = connect(limits(100), fixture.answering(null));
        client.headers(1, H2TestClient.get("/"), true).send();
        H2Stream stream = fixture.streams.get(0).stream;
        stream.write(io.netty.buffer.Unpooled.copiedBuffer(H2ConnectionTest.OK,
                java.nio.charset.StandardCharsets.ISO_8859_1)); // not inside a read of the client's: no flush after
        stream.endAfter(io.netty.buffer.Unpooled.EMPTY_BUFFER);
        client.receive(); // what the server flushed
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    /**
     * The responses of the streams answered in one event-loop iteration leave in one buffer (one write, one TLS
     * record's plaintext), not a buffer per frame: two streams' HEADERS and DATA frames, one flush, one buffer.
     */
    @Test
    void theFramesOfStreamsAnsweredBeforeOneFlushLeaveAsOneBuffer() {
        H2TestClient client = connect(limits(100), fixture.answering(null));
        client.headers(1, H2TestClient.get("/a"), true).headers(3, H2TestClient.get("/b"), true).send();
        for (H2ConnectionTest.FakeProxy proxy : fixture.streams) {
            proxy.stream.write(io.netty.buffer.Unpooled.copiedBuffer(H2ConnectionTest.OK,
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            proxy.stream.endAfter(io.netty.buffer.Unpooled.EMPTY_BUFFER);
        }
        assertEquals(0, client.server.outboundMessages().size(), "nothing before the connection's flush");
        client.server.runPendingTasks();
        assertEquals(1, client.server.outboundMessages().size(), "one buffer");
        client.receive();
        assertTrue(client.frames.contains("DATA 1 2 end") && client.frames.contains("DATA 3 2 end"),
                client.frames::toString);
        assertTrue(client.sawFrame("HEADERS 1 :status=200 ") && client.sawFrame("HEADERS 3 :status=200 "),
                client.frames::toString);
    }

    /** RFC 9113 section 4.3: a header block past SETTINGS_MAX_FRAME_SIZE goes on in CONTINUATION frames. */
    @Test
    void aHeadLargerThanAFrameGoesOnInContinuationFrames() {
        String big = "v".repeat(40_000);
        H2TestClient client = connect(limits(100), fixture.answering("HTTP/1.1 200 OK\r\nX-Big: " + big
                + "\r\nContent-Length: 2\r\n\r\nhi"));
        client.headers(1, H2TestClient.get("/"), true).send(); // the client's reader refuses a frame past 16 KiB
        String head = client.frames.stream().filter(f -> f.startsWith("HEADERS 1 :status=200")).findFirst()
                .orElseThrow(() -> new AssertionError(client.frames.toString()));
        assertTrue(head.contains("x-big: " + big), "the whole value");
        assertTrue(client.frames.contains("DATA 1 2 end"), client.frames::toString);
    }

    /**
     * Heads written directly and heads of Netty's encoder (a 103, a chunked response's trailers) share the
     * connection's HPACK encoder: the client decodes every one of them with its one dynamic table (a field the
     * encoder indexed for one stream is referred to by index in the next).
     */
    @Test
    void directHeadsAndTheEncodersHeadsShareOneHpackTable() {
        String[] answers = {
                "HTTP/1.1 200 OK\r\nX-App: one\r\nContent-Type: text/a\r\nContent-Length: 2\r\n\r\nhi",
                "HTTP/1.1 103 Early Hints\r\nX-App: one\r\nLink: </a.css>\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nX-App: two\r\nContent-Type: text/b\r\nContent-Length: 2\r\n\r\nhi",
                "HTTP/1.1 200 OK\r\nX-App: two\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 3\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-App: one\r\nX-Sum: 3\r\nContent-Type: text/abc\r\nContent-Length: 2\r\n\r\nhi"};
        int id = 1;
        // all on one connection: one HPACK table
        H2TestClient client = connect(limits(100), stream -> {
            H2ConnectionTest.FakeProxy proxy = new H2ConnectionTest.FakeProxy(stream, null);
            fixture.streams.add(proxy);
            return proxy;
        });
        for (int round = 0; round < 3; round++) {
            for (String answer : answers) {
                client.headers(id, H2TestClient.get("/" + id), true).send();
                H2ConnectionTest.FakeProxy proxy = fixture.streams.get(fixture.streams.size() - 1);
                proxy.stream.write(io.netty.buffer.Unpooled.copiedBuffer(answer,
                        java.nio.charset.StandardCharsets.ISO_8859_1));
                proxy.stream.flush();
                client.receive();
                int stream = id;
                String finalHead = client.frames.stream()
                        .filter(f -> f.startsWith("HEADERS " + stream + " :status=200")).findFirst()
                        .orElseThrow(() -> new AssertionError(client.frames.toString()));
                String app = answer.substring(answer.lastIndexOf("X-App: ") + 7, answer.indexOf('\r',
                        answer.lastIndexOf("X-App: ")));
                assertTrue(finalHead.contains("x-app: " + app), finalHead);
                // a stream object's heads one after the other: each its own values (ResponseFrames' kept copies)
                int type = answer.indexOf("Content-Type: ");
                if (type >= 0) {
                    String value = answer.substring(type + 14, answer.indexOf('\r', type));
                    assertTrue(finalHead.contains("content-type: " + value + ","), finalHead);
                } else {
                    assertTrue(!finalHead.contains("content-type"), finalHead);
                }
                if (answer.contains("X-Sum")) {
                    assertTrue(client.frames.stream().anyMatch(f -> f.startsWith("HEADERS " + stream)
                            && f.contains("x-sum: 3")), client.frames::toString);
                }
                id += 2;
            }
        }
        assertEquals(12, client.frames.stream().filter(f -> f.startsWith("HEADERS ") && f.contains(":status=200"))
                .count(), client.frames::toString);
    }
}
