package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body (RFC 9112 section 7.1) byte by byte without copying it: chunk-size lines, chunk data,
 * the CRLF after each chunk, the trailer section. The proxy passes the bytes on as they are (no re-chunking); it
 * only needs to know where the body ends, and, for an HTTP/1.0 client, which bytes are data.
 * Scanning goes in steps: a step is either a run of data bytes or a run of framing bytes, never both.
 *
 * <p>Because the bytes go on as they came, only framing that every server behind jcluster (the JDK's HttpServer,
 * Tomcat, Jetty, Undertow, Netty) reads the same way is accepted; anything else is an error (400 for a request).
 * Where servers differ, a request hidden in a body would reach the app unseen by jcluster. So:
 * <ul>
 *   <li>every line ends with CRLF: a bare LF or CR is an error (the JDK's server reads a bare LF in a chunk
 *       extension as part of the extension, not as a line end);</li>
 *   <li>a chunk size has at most {@value #MAX_SIZE_DIGITS} hex digits, leading zeros included, and is at most
 *       2^31-1 (servers that read it into an int read {@code 100000008} as 8);</li>
 *   <li>a chunk extension follows the RFC's grammar, {@code ;name[=token|"quoted"]}, without the whitespace (BWS)
 *       that senders must not generate (RFC 9110 section 5.6.3) and some servers refuse, and the size line
 *       is at most {@value #MAX_SIZE_LINE} bytes;</li>
 *   <li>chunk data is followed by exactly CRLF;</li>
 *   <li>trailer lines are header lines ({@code name:value}, a token name, no control character but HTAB in the
 *       value, no obs-fold), at most {@value #MAX_TRAILERS} bytes in all, passed on as they came.</li>
 * </ul>
 */
public final class ChunkedScanner {

    /** Longest chunk-size line (size and extensions, without CRLF) accepted. */
    public static final int MAX_SIZE_LINE = 1024;
    /** Most hex digits in a chunk size, leading zeros included: an int's worth. */
    public static final int MAX_SIZE_DIGITS = 8;
    /** Largest trailer section accepted. */
    public static final int MAX_TRAILERS = 16 * 1024;

    private static final int SIZE = 0;
    private static final int EXT_NAME_START = 1;
    private static final int EXT_NAME = 2;
    private static final int EXT_VALUE_START = 3;
    private static final int EXT_TOKEN = 4;
    private static final int EXT_QUOTED = 5;
    private static final int EXT_QUOTED_PAIR = 6;
    private static final int EXT_QUOTED_END = 7;
    private static final int SIZE_LF = 8;
    private static final int DATA = 9;
    private static final int DATA_CR = 10;
    private static final int DATA_LF = 11;
    private static final int TRAILER_START = 12;
    private static final int TRAILER_NAME = 13;
    private static final int TRAILER_VALUE = 14;
    private static final int TRAILER_LF = 15;
    private static final int END_LF = 16;
    private static final int DONE = 17;
    private static final int FAILED = 18;

    private int state;
    private long size;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private boolean lastStepData;
    private ChunkViolation violation;

    public void reset() {
        state = SIZE;
        size = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
        lastStepData = false;
        violation = null;
    }

    public boolean done() {
        return state == DONE;
    }

    /** Whether the bytes of the last {@link #step} were chunk data (else framing: sizes, CRLFs, trailers). */
    public boolean lastStepData() {
        return lastStepData;
    }

    /** What was wrong, after {@link #step} returned -1; else null. */
    public ChunkViolation violation() {
        return violation;
    }

    /** What was wrong, in words, after {@link #step} returned -1; else null. */
    public String error() {
        return violation == null ? null : violation.describe();
    }

    /**
     * Scans bytes from {@code index} (below {@code end}) for one step.
     *
     * @return the index after the step (at most {@code end}); -1 when the framing is broken
     */
    public int step(ByteBuf buf, int index, int end) {
        if (state == DATA) {
            int take = (int) Math.min(size, end - index);
            size -= take;
            if (size == 0) {
                state = DATA_CR;
            }
            lastStepData = true;
            return index + take;
        }
        lastStepData = false;
        while (index < end) {
            byte b = buf.getByte(index++);
            if (state < SIZE_LF && ++lineBytes > MAX_SIZE_LINE) {
                return fail(ChunkViolation.SIZE_LINE_TOO_LONG);
            }
            switch (state) {
                case SIZE: {
                    int digit = hex(b);
                    if (digit >= 0) {
                        if (++digits > MAX_SIZE_DIGITS) {
                            return fail(ChunkViolation.TOO_MANY_SIZE_DIGITS);
                        }
                        size = size << 4 | digit;
                        if (size > Integer.MAX_VALUE) {
                            return fail(ChunkViolation.SIZE_TOO_LARGE);
                        }
                    } else if (digits == 0) {
                        return fail(ChunkViolation.SIZE_NOT_HEX);
                    } else if (b == ';') {
                        state = EXT_NAME_START;
                    } else if (b == '\r') {
                        state = SIZE_LF;
                    } else {
                        return fail(b == '\n' ? ChunkViolation.SIZE_LINE_BARE_LF
                                : ChunkViolation.SIZE_FOLLOWED_BY_OTHER);
                    }
                    break;
                }
                case EXT_NAME_START:
                    if (!HeaderNames.isToken(b)) {
                        return fail(ChunkViolation.EXTENSION_WITHOUT_NAME);
                    }
                    state = EXT_NAME;
                    break;
                case EXT_NAME:
                    if (b == '=') {
                        state = EXT_VALUE_START;
                    } else if (!HeaderNames.isToken(b) && !extensionEnds(b)) {
                        return badExtension(b);
                    }
                    break;
                case EXT_VALUE_START:
                    if (b == '"') {
                        state = EXT_QUOTED;
                    } else if (HeaderNames.isToken(b)) {
                        state = EXT_TOKEN;
                    } else {
                        return badExtension(b);
                    }
                    break;
                case EXT_TOKEN:
                    if (!HeaderNames.isToken(b) && !extensionEnds(b)) {
                        return badExtension(b);
                    }
                    break;
                case EXT_QUOTED:
                    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 section 5.6.4)
                    if (b == '"') {
                        state = EXT_QUOTED_END;
                    } else if (b == '\\') {
                        state = EXT_QUOTED_PAIR;
                    } else if (!text(b)) {
                        return badExtension(b);
                    }
                    break;
                case EXT_QUOTED_PAIR:
                    if (!text(b)) {
                        return badExtension(b);
                    }
                    state = EXT_QUOTED;
                    break;
                case EXT_QUOTED_END:
                    if (!extensionEnds(b)) {
                        return badExtension(b);
                    }
                    break;
                case SIZE_LF:
                    if (b != '\n') {
                        return fail(ChunkViolation.SIZE_LINE_BARE_CR);
                    }
                    if (sizeLineEnded()) {
                        return index;
                    }
                    break;
                case DATA_CR:
                    if (b != '\r') {
                        return fail(b == '\n' ? ChunkViolation.DATA_BARE_LF : ChunkViolation.DATA_LONGER_THAN_SIZE);
                    }
                    state = DATA_LF;
                    break;
                case DATA_LF:
                    if (b != '\n') {
                        return fail(ChunkViolation.DATA_BARE_CR);
                    }
                    state = SIZE;
                    break;
                case TRAILER_START:
                    if (++trailerBytes > MAX_TRAILERS) {
                        return fail(ChunkViolation.TRAILERS_TOO_LARGE);
                    }
                    if (b == '\r') {
                        state = END_LF;
                    } else if (HeaderNames.isToken(b)) {
                        state = TRAILER_NAME;
                    } else {
                        return fail(b == '\n' ? ChunkViolation.TRAILERS_BARE_LF
                                : ChunkViolation.TRAILER_WITHOUT_NAME);
                    }
                    break;
                case TRAILER_NAME:
                    if (++trailerBytes > MAX_TRAILERS) {
                        return fail(ChunkViolation.TRAILERS_TOO_LARGE);
                    }
                    if (b == ':') {
                        state = TRAILER_VALUE;
                    } else if (!HeaderNames.isToken(b)) {
                        return fail(ChunkViolation.TRAILER_INVALID_NAME);
                    }
                    break;
                case TRAILER_VALUE:
                    if (++trailerBytes > MAX_TRAILERS) {
                        return fail(ChunkViolation.TRAILERS_TOO_LARGE);
                    }
                    if (b == '\r') {
                        state = TRAILER_LF;
                    } else if (b != '\t' && ((b & 0xff) < 0x20 || b == 0x7f)) {
                        return fail(b == '\n' ? ChunkViolation.TRAILER_LINE_BARE_LF
                                : ChunkViolation.TRAILER_CONTROL_IN_VALUE);
                    }
                    break;
                case TRAILER_LF:
                    if (++trailerBytes > MAX_TRAILERS) {
                        return fail(ChunkViolation.TRAILERS_TOO_LARGE);
                    }
                    if (b != '\n') {
                        return fail(ChunkViolation.TRAILER_LINE_BARE_CR);
                    }
                    state = TRAILER_START;
                    break;
                case END_LF:
                    if (b != '\n') {
                        return fail(ChunkViolation.NO_FINAL_CRLF);
                    }
                    state = DONE;
                    return index;
                default:
                    return fail(ChunkViolation.BYTES_AFTER_END);
            }
        }
        return index;
    }

    /** After an extension's name or value: another extension, or the line's CR. */
    private boolean extensionEnds(byte b) {
        if (b == ';') {
            state = EXT_NAME_START;
            return true;
        }
        if (b == '\r') {
            state = SIZE_LF;
            return true;
        }
        return false;
    }

    private int badExtension(byte b) {
        return fail(b == '\n' ? ChunkViolation.EXTENSION_BARE_LF : b == ' ' || b == '\t'
                ? ChunkViolation.EXTENSION_WHITESPACE : ChunkViolation.MALFORMED_EXTENSION);
    }

    /** @return true when the step ends here: data follows, or the body is done */
    private boolean sizeLineEnded() {
        digits = 0;
        lineBytes = 0;
        if (size == 0) {
            state = TRAILER_START;
            return false;
        }
        state = DATA;
        return true;
    }

    private int fail(ChunkViolation what) {
        state = FAILED;
        violation = what;
        return -1;
    }

    /** HTAB, SP, VCHAR or obs-text: what a quoted string may hold (less '"' and '\', which the caller handles). */
    private static boolean text(byte b) {
        return b == '\t' || (b & 0xff) >= 0x20 && b != 0x7f;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
