package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds a head's lines in the bytes that carry it, then gives the start line to {@link StartLine} and each header
 * line to {@link HeaderRules}; the empty line ends the head. The bytes are copied into {@link HeaderLines#bytes} in
 * bulk (one {@code getBytes} per call in the common case, at most what a head within the limits can span), and line
 * ends are found in that copy: no per-line buffer call. Scanning resumes where the last call stopped (the search for
 * the open line's LF too), so a head that arrives a byte at a time costs no more than one that arrives whole.
 * Offsets are relative to the head's first byte: the bytes may move to a bigger buffer between two calls, as long as
 * the head starts at that buffer's reader index and the bytes already seen do not change.
 */
final class HeadScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** The first copy of a call takes at least this much (a head that comes whole is then copied in one call). */
    private static final int MIN_COPY = 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final MessageHead head;
    private final HeaderLines lines;
    private final int maxStartLine;
    private final int maxHeaders;
    /**
     * The most bytes a head within the limits spans: empty lines before the request line (at most maxStartLine + 1),
     * the start line and its line end, the header section; an LF further on could only end a line over its limit.
     */
    private final int maxSpan;

    /** Relative index of the first byte not scanned into a line yet. */
    private int next;
    /** Bytes of the head copied into {@link HeaderLines#bytes} so far (from relative index 0). */
    private int copied;
    /** The open line has no LF before this relative index. */
    private int searched;
    private boolean startLineDone;
    private int headersStart;

    HeadScanner(MessageHead head, int maxStartLine, int maxHeaders) {
        this.head = head;
        this.lines = head.lines;
        this.maxStartLine = maxStartLine;
        this.maxHeaders = maxHeaders;
        this.maxSpan = (int) Math.min(Integer.MAX_VALUE - 8, 2L * maxStartLine + maxHeaders + 4);
    }

    void reset() {
        next = 0;
        writing = 0;
        overflow = false;
        copied = 0;
        searched = 0;
        startLineDone = false;
        headersStart = 0;
    }

    /** See {@link MessageHead#scan}. */
    int scan(ByteBuf in) {
        MessageHead head = this.head;
        boolean request = head.request;
        int base = in.readerIndex();
        int limit = in.writerIndex() - base;
        int reach = Math.min(limit, maxSpan); // the bytes worth copying
        byte[] bytes = lines.bytes;
        for (;;) {
            int from = Math.max(next, searched);
            int lf = from < copied ? indexOfLf(bytes, from, copied) : -1;
            if (lf < 0) {
                searched = copied;
                if (copied >= reach) {
                    return tooLongSoFar(limit);
                }
                // double what is copied (at least MIN_COPY): few copies for a large head, little of a body behind it
                int end = (int) Math.min(reach, Math.max(copied + MIN_COPY, 2L * copied));
                bytes = lines.room(end);
                in.getBytes(base + copied, bytes, copied, end - copied);
                copied = end;
                continue;
            }
            int lineStart = next;
            int lineNext = lf + 1;
            int contentEnd = lf;
            if (contentEnd > lineStart && bytes[contentEnd - 1] == CR) {
                contentEnd--;
            } else {
                head.bareLf = true;
            }
            next = lineNext;
            searched = lineNext;
            if (!startLineDone) {
                if (contentEnd == lineStart) {
                    if (!request || next > maxStartLine) {
                        return head.fail(HeadViolation.LEADING_EMPTY_LINES);
                    }
                    head.start = next; // RFC 9112 section 2.2: empty lines before a request line are ignored
                    continue;
                }
                int outcome = startLine(bytes, lineStart, contentEnd);
                if (outcome != MessageHead.NEED_MORE) {
                    return outcome;
                }
                continue;
            }
            int outcome = headerLine(bytes, lineStart, contentEnd, lineNext);
            if (outcome != MessageHead.NEED_MORE) {
                return outcome;
            }
        }
    }

    /**
     * The start line in {@code bytes[lineStart, contentEnd)} (without its line end; {@link #next} is past it).
     *
     * @return {@link MessageHead#NEED_MORE} (the header lines follow) or {@link MessageHead#FAILED}
     */
    private int startLine(byte[] bytes, int lineStart, int contentEnd) {
        MessageHead head = this.head;
        HeadViolation broken = contentEnd - lineStart > maxStartLine ? HeadViolation.START_LINE_TOO_LONG
                : head.request ? StartLine.request(head, bytes, lineStart, contentEnd)
                : StartLine.status(head, bytes, lineStart, contentEnd);
        if (broken != null) {
            // RFC 9112 section 2.2: a bare CR is the violation named (a line that holds one is broken:
            // StartLine checks each byte of a request line, and a status line's reason for CR)
            return head.fail(StartLine.indexOf(bytes, lineStart, contentEnd, CR) >= 0 ? HeadViolation.BARE_CR
                    : broken);
        }
        head.startLineEnd = contentEnd;
        startLineDone = true;
        headersStart = next;
        return MessageHead.NEED_MORE;
    }

    /**
     * A header line in {@code bytes[lineStart, contentEnd)} (without its line end; {@link #next} is past it), or the
     * empty line that ends the head.
     *
     * @return {@link MessageHead#NEED_MORE} (more lines follow), {@link MessageHead#COMPLETE} or
     * {@link MessageHead#FAILED}
     */
    private int headerLine(byte[] bytes, int lineStart, int contentEnd, int lineNext) {
        MessageHead head = this.head;
        if (next - headersStart > maxHeaders) {
            return head.fail(HeadViolation.HEADERS_TOO_LARGE);
        }
        if (contentEnd == lineStart) {
            head.length = next;
            HeadViolation broken = HeaderRules.atEnd(head);
            return broken == null ? MessageHead.COMPLETE : head.fail(broken);
        }
        HeadViolation broken = HeaderRules.line(head, bytes, lineStart, contentEnd, lineNext);
        return broken == null ? MessageHead.NEED_MORE : head.fail(broken);
    }

    // ---- a head written from fields, line by line, and read by the same rules as a scanned one ----

    /** Where the line being written starts. */
    private int writing;
    /** The line being written went past what a head within the limits spans: it was not written whole. */
    private boolean overflow;

    /** Appends to the line being written (a char no byte carries is written as DEL, which every rule refuses). */
    void append(CharSequence text) {
        int n = text.length();
        byte[] bytes = room(n);
        if (bytes == null) {
            return;
        }
        int at = next;
        if (text instanceof AsciiString ascii) {
            System.arraycopy(ascii.array(), ascii.arrayOffset(), bytes, at, n);
        } else {
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                bytes[at + i] = c > 0xff ? 0x7f : (byte) c;
            }
        }
        next = at + n;
    }

    void append(byte[] ascii) {
        byte[] bytes = room(ascii.length);
        if (bytes != null) {
            System.arraycopy(ascii, 0, bytes, next, ascii.length);
            next += ascii.length;
        }
    }

    /** The array with room for {@code n} more bytes at {@link #next}, or null past {@link #maxSpan}. */
    private byte[] room(int n) {
        if (overflow || next + n + 2 > maxSpan) {
            overflow = true;
            return null;
        }
        return lines.room(next + n + 2); // and the line end
    }

    /** Ends the request line written: see {@link #startLine}. */
    int endStartLine() {
        if (overflow) {
            return head.fail(HeadViolation.START_LINE_TOO_LONG);
        }
        int contentEnd = endLine();
        int outcome = startLine(lines.bytes, writing, contentEnd);
        writing = next;
        return outcome;
    }

    /**
     * Ends the header line written, {@code nameLength} bytes of it the name: see {@link #headerLine}. A name that is
     * not one token (a colon, whitespace or a control character in it) is {@link HeadViolation#INVALID_NAME}: the line
     * would not split where it was written.
     */
    int endHeaderLine(int nameLength) {
        if (overflow) {
            return head.fail(HeadViolation.HEADERS_TOO_LARGE);
        }
        int lineStart = writing;
        int contentEnd = endLine();
        writing = next;
        int outcome = headerLine(lines.bytes, lineStart, contentEnd, next);
        if (outcome == MessageHead.NEED_MORE && lines.nameEnd(lines.count() - 1) != lineStart + nameLength) {
            return head.fail(HeadViolation.INVALID_NAME);
        }
        return outcome;
    }

    /** Ends the head written with its empty line. */
    int endHead() {
        if (overflow) {
            return head.fail(HeadViolation.HEADERS_TOO_LARGE);
        }
        int contentEnd = endLine();
        writing = next;
        return headerLine(lines.bytes, contentEnd, contentEnd, next);
    }

    /** Writes the line end (room for it was kept); returns where the line's content ends. */
    private int endLine() {
        int contentEnd = next;
        byte[] bytes = lines.room(contentEnd + 2);
        bytes[contentEnd] = CR;
        bytes[contentEnd + 1] = LF;
        next = contentEnd + 2;
        return contentEnd;
    }

    /** The first LF in {@code b[from, to)}, or -1; eight bytes a step (SWAR: the bytes of {@code w} that are 0). */
    static int indexOfLf(byte[] b, int from, int to) {
        int i = from;
        for (; i <= to - 8; i += 8) {
            long w = (long) LONGS.get(b, i) ^ LFS;
            long zeros = (w - ONES) & ~w & HIGHS; // exact for the lowest zero byte, the one wanted
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == LF) {
                return i;
            }
        }
        return -1;
    }

    /** A line still open: is it already over its limit? */
    private int tooLongSoFar(int limit) {
        if (!startLineDone) {
            if (limit - head.start > maxStartLine + 1) {
                return head.fail(HeadViolation.START_LINE_TOO_LONG);
            }
        } else if (limit - headersStart > maxHeaders) {
            return head.fail(HeadViolation.HEADERS_TOO_LARGE);
        }
        return MessageHead.NEED_MORE;
    }
}
