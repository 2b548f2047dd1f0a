package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each way a chunked body's framing can break, found by the scanner for a body that breaks it, in the words jcluster
 * answered before the rules became values (the client sees "jcluster: malformed request body (words)").
 */
class ChunkViolationTest {

    static Object[][] bodies() {
        return new Object[][]{
                {ChunkViolation.SIZE_LINE_TOO_LONG, "5;" + "x".repeat(1100), "a chunk-size line longer than 1024 bytes"},
                {ChunkViolation.TOO_MANY_SIZE_DIGITS, "000000005\r\n", "a chunk size of more than 8 hex digits"},
                {ChunkViolation.SIZE_TOO_LARGE, "80000000\r\n", "a chunk size above 2^31-1"},
                {ChunkViolation.SIZE_NOT_HEX, "g\r\n", "a chunk size that is not hexadecimal"},
                {ChunkViolation.SIZE_LINE_BARE_LF, "5\n", "a chunk-size line ended by a bare LF"},
                {ChunkViolation.SIZE_FOLLOWED_BY_OTHER, "5 \r\n", "a chunk size followed by something other than ';' or CRLF"},
                {ChunkViolation.SIZE_LINE_BARE_CR, "5\rx", "a chunk-size line with a bare CR"},
                {ChunkViolation.EXTENSION_WITHOUT_NAME, "5;\r\n", "a chunk extension without a name"},
                {ChunkViolation.EXTENSION_BARE_LF, "5;a\n", "a chunk extension ended by a bare LF"},
                {ChunkViolation.EXTENSION_WHITESPACE, "5;a =b\r\n", "whitespace in a chunk extension"},
                {ChunkViolation.MALFORMED_EXTENSION, "5;a=\"x\"y\r\n", "a chunk extension that is not ;name[=value]"},
                {ChunkViolation.DATA_BARE_LF, "1\r\na\n", "chunk data followed by a bare LF"},
                {ChunkViolation.DATA_LONGER_THAN_SIZE, "1\r\nab\r\n", "chunk data longer than its size"},
                {ChunkViolation.DATA_BARE_CR, "1\r\na\rx", "chunk data followed by a bare CR"},
                {ChunkViolation.TRAILERS_TOO_LARGE, "0\r\n" + "X-T: 1\r\n".repeat(2049), "trailers larger than 16384 bytes"},
                {ChunkViolation.TRAILERS_BARE_LF, "0\r\n\n", "a trailer section with a bare LF"},
                {ChunkViolation.TRAILER_WITHOUT_NAME, "0\r\n:x\r\n\r\n", "a trailer line that does not start with a field name"},
                {ChunkViolation.TRAILER_INVALID_NAME, "0\r\nX T: 1\r\n\r\n", "an invalid character in a trailer field name"},
                {ChunkViolation.TRAILER_LINE_BARE_LF, "0\r\nX: 1\n", "a trailer line ended by a bare LF"},
                {ChunkViolation.TRAILER_CONTROL_IN_VALUE, "0\r\nX: \u0001\r\n", "a control character in a trailer field value"},
                {ChunkViolation.TRAILER_LINE_BARE_CR, "0\r\nX: 1\rx", "a trailer line with a bare CR"},
                {ChunkViolation.NO_FINAL_CRLF, "0\r\n\rx", "a chunked body not ended by CRLF"}};
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void aBodyBreakingTheRuleIsDescribedAsBefore(ChunkViolation rule, String body, String words) {
        ChunkedScanner chunks = new ChunkedScanner();
        chunks.reset();
        assertEquals(-1, scan(chunks, body), body);
        assertEquals(rule, chunks.violation(), body);
        assertEquals(words, chunks.error(), rule.name());
    }

    @Test
    void bytesAfterTheEndAreAViolationToo() {
        ChunkedScanner chunks = new ChunkedScanner();
        chunks.reset();
        assertEquals(5, scan(chunks, "0\r\n\r\n"));
        assertTrue(chunks.done());
        assertEquals(-1, scan(chunks, "x"));
        assertEquals(ChunkViolation.BYTES_AFTER_END, chunks.violation());
        assertEquals("bytes after the end of a chunked body", chunks.error());
        chunks.reset();
        assertEquals(null, chunks.violation(), "reset forgets it");
    }

    @Test
    void everyRuleHasItsWords() {
        Set<ChunkViolation> covered = EnumSet.of(ChunkViolation.BYTES_AFTER_END);
        for (Object[] row : bodies()) {
            covered.add((ChunkViolation) row[0]);
        }
        assertEquals(EnumSet.allOf(ChunkViolation.class), covered);
    }

    /** Steps over all of {@code body}: where the scan stopped, or -1. */
    private static int scan(ChunkedScanner chunks, String body) {
        ByteBuf in = Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1);
        try {
            int index = 0;
            while (index < in.writerIndex()) {
                index = chunks.step(in, index, in.writerIndex());
                if (index < 0 || chunks.done()) {
                    return index;
                }
            }
            return index;
        } finally {
            in.release();
        }
    }
}
