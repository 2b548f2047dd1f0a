package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9112 section 7.1, as strict as the chunked bodies jcluster passes on must be: every chunked body that some
 * server behind it could frame differently is an error, whatever the pieces it arrives in.
 */
class ChunkedFramingRulesTest {

    /** A chunked body, then a fragment of the error it must get. */
    static Object[][] broken() {
        return new Object[][]{
                // a bare LF after a chunk extension: the JDK's server reads on to the next CRLF (smuggling)
                {"8;x\nZZ\r\nabcd\r\n25\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n", "bare LF"},
                {"5\nhello\r\n0\r\n\r\n", "bare LF"},
                {"5;a=b\nhello\r\n0\r\n\r\n", "bare LF"},
                {"5;a=\"b\"\nhello\r\n0\r\n\r\n", "bare LF"},
                {"5\r\nhello\n0\r\n\r\n", "bare LF"},
                {"5\r\nhello\r\n0\n\r\n", "bare LF"},
                {"0\r\n\n", "bare LF"},
                {"0\r\nX: y\n\r\n", "bare LF"},
                // a bare CR
                {"5\rhello\r\n0\r\n\r\n", "bare CR"},
                {"5\r\nhello\r\r\n0\r\n\r\n", "bare CR"},
                {"0\r\nX: y\r\r\n\r\n", "bare CR"},
                {"0\r\nX: y\rz\r\n\r\n", "bare CR"},
                // sizes every server reads the same: at most 8 hex digits, at most 2^31-1
                {"100000008\r\nabcdefgh\r\n0\r\n\r\n", "more than 8 hex digits"},
                {"000000005\r\nhello\r\n0\r\n\r\n", "more than 8 hex digits"},
                {"80000000\r\n", "above 2^31-1"},
                {"ffffffff\r\n", "above 2^31-1"},
                {"\r\n", "not hexadecimal"},
                {"-1\r\n", "not hexadecimal"},
                {"+5\r\nhello\r\n0\r\n\r\n", "not hexadecimal"},
                {"0x5\r\nhello\r\n0\r\n\r\n", "other than ';' or CRLF"},
                {" 5\r\nhello\r\n0\r\n\r\n", "not hexadecimal"},
                {"5 \r\nhello\r\n0\r\n\r\n", "other than ';' or CRLF"},
                // extensions: ;name[=token|quoted-string], no whitespace
                {"5 ;a\r\nhello\r\n0\r\n\r\n", "other than ';' or CRLF"},
                {"5; a\r\nhello\r\n0\r\n\r\n", "without a name"},
                {"5;a =b\r\nhello\r\n0\r\n\r\n", "whitespace in a chunk extension"},
                {"5;a= b\r\nhello\r\n0\r\n\r\n", "whitespace in a chunk extension"},
                {"5;a=b \r\nhello\r\n0\r\n\r\n", "whitespace in a chunk extension"},
                {"5;\r\nhello\r\n0\r\n\r\n", "without a name"},
                {"5;=b\r\nhello\r\n0\r\n\r\n", "without a name"},
                {"5;a=\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;a=b=c\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;a=\"b\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;a=\"b\u0000\"\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;a\u0000\r\nhello\r\n0\r\n\r\n", "not ;name[=value]"},
                {"5;" + "a".repeat(ChunkedScanner.MAX_SIZE_LINE) + "\r\nhello\r\n0\r\n\r\n", "longer than"},
                // exactly CRLF after the data
                {"5\r\nhelloX\r\n0\r\n\r\n", "longer than its size"},
                {"5\r\nhello0\r\n\r\n", "longer than its size"},
                // trailers: header lines, strictly
                {"0\r\nX : y\r\n\r\n", "invalid character in a trailer field name"},
                {"0\r\n folded\r\n\r\n", "does not start with a field name"},
                {"0\r\n:y\r\n\r\n", "does not start with a field name"},
                {"0\r\nX\r\n\r\n", "invalid character in a trailer field name"},
                {"0\r\nX: a\u0000b\r\n\r\n", "control character in a trailer"},
                {"0\r\nX: a\u007fb\r\n\r\n", "control character in a trailer"},
                {"0\r\n" + "X-T: 1\r\n".repeat(ChunkedScanner.MAX_TRAILERS / 8 + 1) + "\r\n", "trailers larger than"},
                {"0\r\n\r\r", "not ended by CRLF"}};
    }

    @ParameterizedTest
    @MethodSource("broken")
    void framingAServerCouldReadDifferentlyIsAnErrorWhereverItIsSplit(String body, String why) {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        int step = Math.max(1, bytes.length / 64); // the long bodies at 64 offsets, the others at every one
        for (int split = 0; split <= bytes.length; split += step) {
            BodyFraming framing = new BodyFraming();
            framing.chunked();
            assertEquals(-1, scan(framing, bytes, split), body + " split at " + split);
            assertFalse(framing.done());
            assertTrue(framing.chunks().error().contains(why), body + ": " + framing.chunks().error());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "7fffffff\r\n",
            "0000000a\r\n",
            "Ab;x\r\n",
            "5;a;b=c;d=\"q \\\" \t\u00e9x\";e=1\r\n",
            "5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~\r\n"})
    void aSizeLineWithinTheRulesIsAccepted(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            BodyFraming framing = new BodyFraming();
            framing.chunked();
            assertEquals(bytes.length, scan(framing, bytes, split), line + " split at " + split + ": "
                    + framing.chunks().error());
        }
    }

    @Test
    void aBodyWithExtensionsAndTrailersEndsExactlyWhereverItIsSplit() {
        String body = "5;a=\"x;y\"\r\nhello\r\n0;last\r\nX-Checksum: abc \t d\r\nY:\r\n\r\n";
        byte[] bytes = (body + "GET / HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= bytes.length; split++) {
            BodyFraming framing = new BodyFraming();
            framing.chunked();
            assertEquals(body.length(), scan(framing, bytes, split), "split at " + split);
            assertTrue(framing.done());
        }
    }

    /**
     * Feeds {@code bytes} in two pieces cut at {@code split}.
     *
     * @return the bytes taken as body, or -1
     */
    private static int scan(BodyFraming framing, byte[] bytes, int split) {
        int taken = 0;
        int at = 0;
        for (int cut : new int[]{split, bytes.length}) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, at, cut - at);
            at = cut;
            if (!framing.done() && piece.isReadable()) {
                int end = framing.scan(piece, piece.readerIndex(), piece.writerIndex());
                if (end < 0) {
                    return -1;
                }
                taken += end - piece.readerIndex();
            }
        }
        return taken;
    }
}
