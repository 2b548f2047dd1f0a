package io.jcluster.agent.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body (RFC 9112 section 7.1) byte by byte without copying it: chunk-size lines, chunk data,
 * the CRLF after each chunk, the trailer section. The proxy passes the bytes on as they are (no re-chunking); it
 * only needs to know where the body ends, and, for an HTTP/1.0 client, which bytes are data.
 * Scanning goes in steps: a step is either a run of data bytes or a run of framing bytes, never both.
 */
final class ChunkedScanner {

    /** Longest chunk-size line (size and extensions) accepted. */
    static final int MAX_SIZE_LINE = 4096;
    /** Largest trailer section accepted. */
    static final int MAX_TRAILERS = 16 * 1024;

    private static final int SIZE = 0;
    private static final int SIZE_EXTENSION = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_LINE = 7;
    private static final int END_LF = 8;
    private static final int DONE = 9;
    private static final int FAILED = 10;

    private int state;
    private long size;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private boolean lastStepData;
    private String error;

    void reset() {
        state = SIZE;
        size = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
        lastStepData = false;
        error = null;
    }

    boolean done() {
        return state == DONE;
    }

    /** Whether the bytes of the last {@link #step} were chunk data (else framing: sizes, CRLFs, trailers). */
    boolean lastStepData() {
        return lastStepData;
    }

    /** What was wrong, after {@link #step} returned -1. */
    String error() {
        return error;
    }

    /**
     * Scans bytes from {@code index} (below {@code end}) for one step.
     *
     * @return the index after the step (at most {@code end}); -1 when the framing is broken
     */
    int step(ByteBuf buf, int index, int end) {
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
            switch (state) {
                case SIZE: {
                    int digit = hex(b);
                    if (digit >= 0) {
                        if (++digits > 15) {
                            return fail("a chunk size too large");
                        }
                        size = size << 4 | digit;
                    } else if (digits == 0) {
                        return fail("a chunk size that is not hexadecimal");
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = SIZE_EXTENSION;
                    } else if (b == '\r') {
                        state = SIZE_LF;
                    } else if (b == '\n') {
                        if (sizeLineEnded()) {
                            return index;
                        }
                    } else {
                        return fail("a chunk size that is not hexadecimal");
                    }
                    break;
                }
                case SIZE_EXTENSION:
                    if (b == '\n') {
                        if (sizeLineEnded()) {
                            return index;
                        }
                    } else if (++lineBytes > MAX_SIZE_LINE) {
                        return fail("a chunk-size line longer than " + MAX_SIZE_LINE + " bytes");
                    }
                    break;
                case SIZE_LF:
                    if (b != '\n') {
                        return fail("a chunk-size line not ended by CRLF");
                    }
                    if (sizeLineEnded()) {
                        return index;
                    }
                    break;
                case DATA_CR:
                    if (b == '\r') {
                        state = DATA_LF;
                    } else if (b == '\n') {
                        state = SIZE;
                    } else {
                        return fail("chunk data longer than its size");
                    }
                    break;
                case DATA_LF:
                    if (b != '\n') {
                        return fail("chunk data longer than its size");
                    }
                    state = SIZE;
                    break;
                case TRAILER_START:
                    if (b == '\r') {
                        state = END_LF;
                    } else if (b == '\n') {
                        state = DONE;
                        return index;
                    } else {
                        state = TRAILER_LINE;
                        if (++trailerBytes > MAX_TRAILERS) {
                            return fail("trailers larger than " + MAX_TRAILERS + " bytes");
                        }
                    }
                    break;
                case TRAILER_LINE:
                    if (++trailerBytes > MAX_TRAILERS) {
                        return fail("trailers larger than " + MAX_TRAILERS + " bytes");
                    }
                    if (b == '\n') {
                        state = TRAILER_START;
                    }
                    break;
                case END_LF:
                    if (b != '\n') {
                        return fail("a chunked body not ended by CRLF");
                    }
                    state = DONE;
                    return index;
                default:
                    return fail("bytes after the end of a chunked body");
            }
        }
        return index;
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

    private int fail(String what) {
        state = FAILED;
        error = what;
        return -1;
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
