package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scanner's own paths: the head copied in bulk and its line ends found in the copy, however the bytes arrive;
 * a bare CR anywhere in a start line named as such (RFC 9112 section 2.2) though the start line is no longer
 * searched for CR before it is read; the limits holding when the buffer holds far more than a head.
 */
class HeadScannerTest {

    private static final int MAX_LINE = 64;
    private static final int MAX_HEADERS = 4096;

    /** A bare CR in each part of a request line: each is refused by StartLine, and the CR is named. */
    @ParameterizedTest
    @ValueSource(strings = {"G\rET / HTTP/1.1", "GET\r/ HTTP/1.1", "GET /a\rb HTTP/1.1", "GET / HTTP/1.1\r\r",
            "GET /\r HTTP/1.1", "GET / \rHTTP/1.1", "GET / HTTP/\r1.1", "\r", "\rGET / HTTP/1.1",
            "GET /a\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\ra\r HTTP/1.1"})
    void aBareCrAnywhereInTheRequestLineIsNamed(String line) {
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, line + "\r\nHost: a\r\n\r\n"), line);
        assertEquals(HeadViolation.BARE_CR, head.violation(), line);
    }

    /** A status line's reason phrase is the one part not checked byte by byte otherwise. */
    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 O\rK", "HTTP/1.1 200 \r", "HTTP/1.1 200 OK\r\r", "HTTP/1.1 20\r OK"})
    void aBareCrInTheStatusLineIsNamed(String line) {
        MessageHead head = new MessageHead(false, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, line + "\r\nContent-Length: 0\r\n\r\n"), line);
        assertEquals(HeadViolation.BARE_CR, head.violation(), line);
    }

    @Test
    void aBareCrInAHeaderValueIsAControlCharacter() {
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: a\rContent-Length: 5\r\n\r\n"));
        assertEquals(HeadViolation.CONTROL_IN_VALUE, head.violation());
    }

    /** RFC 9110 section 5.5: no control character but HTAB in a field value; obs-text and whitespace are kept. */
    @Test
    void everyControlCharacterButHtabIsRefusedInAValue() {
        for (int c = 0; c < 256; c++) {
            if (c == '\n' || c == '\r') {
                continue; // line ends (a bare CR is checked above)
            }
            MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
            int outcome = scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: \t a" + (char) c + "b \t\r\n\r\n");
            boolean control = c < 0x20 && c != '\t' || c == 0x7f;
            assertEquals(control ? MessageHead.FAILED : MessageHead.COMPLETE, outcome, "byte " + c);
            if (control) {
                assertEquals(HeadViolation.CONTROL_IN_VALUE, head.violation(), "byte " + c);
            } else {
                assertEquals("a" + (char) c + "b", head.value(1), "byte " + c);
            }
        }
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.COMPLETE, scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: \t \r\nY:\r\n\r\n"));
        assertEquals("", head.value(1));
        assertEquals(head.nameEnd(1) + 1, head.valueStart(1), "an empty value sits right after the colon");
        assertEquals(head.valueStart(1), head.valueEnd(1));
        assertEquals("", head.value(2));
    }

    /** The same head read whole, a byte at a time, and split at every byte: the same lines, the same length. */
    @Test
    void aHeadReadsTheSameHoweverItArrives() {
        String text = "\r\nGET /x?y=1 HTTP/1.1\r\nHost: a.example\nX-Long: " + "v".repeat(3000)
                + "\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        MessageHead whole = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.COMPLETE, scan(whole, text));
        assertEquals(text.length() - 3, whole.length());
        assertEquals(2, whole.startLineStart());
        assertEquals(4, whole.count());
        assertEquals(3, whole.contentLength());
        assertEquals("v".repeat(3000), whole.value(1));
        assertEquals(true, whole.bareLf());

        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        ByteBuf growing = Unpooled.buffer();
        int outcome = MessageHead.NEED_MORE;
        for (int i = 0; i < bytes.length && outcome == MessageHead.NEED_MORE; i++) {
            growing.writeByte(bytes[i]);
            outcome = head.scan(growing);
        }
        assertEquals(MessageHead.COMPLETE, outcome);
        assertSame(whole, head);

        for (int split = 1; split < bytes.length; split += 7) {
            head.reset();
            ByteBuf first = Unpooled.wrappedBuffer(bytes, 0, split);
            int o = head.scan(first);
            if (o == MessageHead.NEED_MORE) {
                // the rest arrives into a bigger buffer that starts with the same bytes, after a prefix consumed
                ByteBuf moved = Unpooled.buffer().writeBytes(new byte[]{'z', 'z'}).writeBytes(bytes);
                moved.readerIndex(2);
                o = head.scan(moved);
            }
            assertEquals(MessageHead.COMPLETE, o, "split at " + split);
            assertSame(whole, head);
        }
    }

    /** A head followed by more than the first copy takes: only the head counts, pipelined bytes stay behind. */
    @Test
    void bytesBehindTheHeadAreNotPartOfIt() {
        String first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        String text = first + "GET /b HTTP/1.1\r\nHost: b\r\nX: " + "q".repeat(5000) + "\r\n\r\n";
        MessageHead head = new MessageHead(true, MAX_LINE, 8000);
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        assertEquals(first.length(), head.length());
        assertEquals("/a", head.target());
        in.skipBytes(head.length());
        head.reset();
        assertEquals(MessageHead.COMPLETE, head.scan(in));
        assertEquals("/b", head.target());
        assertEquals("q".repeat(5000), head.value(1));
        assertEquals(in.readableBytes(), head.length());
    }

    /** No LF within what a head may span: refused on the limit, whatever the buffer holds beyond. */
    @Test
    void theLimitsHoldWhenTheBufferHoldsMoreThanAHeadMaySpan() {
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, "GET /" + "a".repeat(20_000)));
        assertEquals(HeadViolation.START_LINE_TOO_LONG, head.violation());
        head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(20_000)));
        assertEquals(HeadViolation.HEADERS_TOO_LARGE, head.violation());
        head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(20_000) + "\r\n\r\n"));
        assertEquals(HeadViolation.HEADERS_TOO_LARGE, head.violation());
        head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.NEED_MORE, scan(head, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(4000)));
    }

    /** The eight-bytes-a-step LF search against a byte-by-byte one, near bytes that differ from LF in one bit. */
    @Test
    void theLfSearchFindsTheFirstLfOnly() {
        byte[] alphabet = {'\n', '\r', 0x0B, 0x08, (byte) 0x8A, (byte) 0x0E, 0x00, (byte) 0xFF, 'a', 0x09, 0x01};
        java.util.Random random = new java.util.Random(18);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (b[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertEquals(expected, HeadScanner.indexOfLf(b, from, to), java.util.Arrays.toString(b) + " " + from + " " + to);
        }
    }

    private static void assertSame(MessageHead expected, MessageHead actual) {
        assertEquals(expected.length(), actual.length());
        assertEquals(expected.startLineStart(), actual.startLineStart());
        assertEquals(expected.startLineEnd(), actual.startLineEnd());
        assertEquals(expected.count(), actual.count());
        for (int i = 0; i < expected.count(); i++) {
            assertEquals(expected.kind(i), actual.kind(i));
            assertEquals(expected.lineStart(i), actual.lineStart(i));
            assertEquals(expected.lineNext(i), actual.lineNext(i));
            assertEquals(expected.value(i), actual.value(i));
        }
        assertEquals(expected.contentLength(), actual.contentLength());
        assertEquals(expected.bareLf(), actual.bareLf());
        assertEquals(expected.target(), actual.target());
    }

    private static int scan(MessageHead head, String text) {
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            return head.scan(in);
        } finally {
            in.release();
        }
    }
}
