package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where bodies end: Content-Length countdowns and chunked bodies, fed in pieces split at every offset. */
class BodyFramingTest {

    private static final String CHUNKED = "5\r\nhello\r\n1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n"
            + "0\r\nX-Trailer: yes\r\n\r\n";
    private static final String NEXT = "GET /next HTTP/1.1\r\n\r\n";

    @Test
    void aChunkedBodyEndsAfterItsTrailersWhereverItIsSplit() {
        byte[] bytes = (CHUNKED + NEXT).getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            for (int second = split; second <= bytes.length; second++) {
                BodyFraming body = new BodyFraming();
                body.chunked();
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                int consumed = 0;
                int[] cuts = {split, second, bytes.length};
                int at = 0;
                for (int cut : cuts) {
                    ByteBuf piece = Unpooled.wrappedBuffer(bytes, at, cut - at);
                    at = cut;
                    if (!body.done()) {
                        int end = body.scan(piece, piece.readerIndex(), piece.writerIndex());
                        assertTrue(end >= 0, body.chunks().error());
                        consumed += end - piece.readerIndex();
                    }
                }
                assertTrue(body.done(), split + "/" + second);
                assertEquals(CHUNKED.length(), consumed, "the body ends exactly before the next request");
                data.reset();
            }
        }
    }

    @Test
    void theDataOfAChunkedBodyIsTellableFromItsFraming() {
        byte[] bytes = CHUNKED.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            ChunkedScanner chunks = new ChunkedScanner();
            chunks.reset();
            StringBuilder data = new StringBuilder();
            for (ByteBuf piece : new ByteBuf[]{Unpooled.wrappedBuffer(bytes, 0, split),
                    Unpooled.wrappedBuffer(bytes, split, bytes.length - split)}) {
                int index = piece.readerIndex();
                while (index < piece.writerIndex() && !chunks.done()) {
                    int start = index;
                    index = chunks.step(piece, start, piece.writerIndex());
                    assertTrue(index >= 0, chunks.error());
                    if (chunks.lastStepData()) {
                        data.append(piece.toString(start, index - start, StandardCharsets.ISO_8859_1));
                    }
                }
            }
            assertTrue(chunks.done());
            assertEquals("helloabcdefghijklmnopqrstuvwxyz", data.toString(), "split at " + split);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\r\n", "\r\n", "5\r\nhelloX\r\n", "5\r\nhello\r\r", "5\rX", "fffffffffffffffff\r\n",
            "-1\r\n", "0\r\n\rX"})
    void brokenChunkedFramingIsAnError(String text) {
        BodyFraming body = new BodyFraming();
        body.chunked();
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        assertEquals(-1, body.scan(in, 0, in.writerIndex()), text);
        assertFalse(body.done());
    }

    @Test
    void aChunkExtensionOrTrailerSectionCannotGrowWithoutBound() {
        BodyFraming body = new BodyFraming();
        body.chunked();
        ByteBuf in = Unpooled.copiedBuffer("5;" + "x".repeat(ChunkedScanner.MAX_SIZE_LINE + 1), StandardCharsets.ISO_8859_1);
        assertEquals(-1, body.scan(in, 0, in.writerIndex()));

        body.chunked();
        in = Unpooled.copiedBuffer("0\r\n" + "X-T: 1\r\n".repeat(ChunkedScanner.MAX_TRAILERS / 8 + 1), StandardCharsets.ISO_8859_1);
        assertEquals(-1, body.scan(in, 0, in.writerIndex()));
    }

    @Test
    void aContentLengthCountsDown() {
        BodyFraming body = new BodyFraming();
        body.length(10);
        ByteBuf in = Unpooled.copiedBuffer("0123456", StandardCharsets.ISO_8859_1);
        assertEquals(7, body.scan(in, 0, 7));
        assertFalse(body.done());
        in = Unpooled.copiedBuffer("789GET", StandardCharsets.ISO_8859_1);
        assertEquals(3, body.scan(in, 0, 6));
        assertTrue(body.done());

        body.length(0);
        assertTrue(body.done());
        body.untilClose();
        assertEquals(6, body.scan(in, 0, 6));
        assertFalse(body.done());
    }
}
