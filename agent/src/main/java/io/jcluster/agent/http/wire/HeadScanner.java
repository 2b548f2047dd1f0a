package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

/**
 * Finds a head's lines in the bytes that carry it: each line is copied into {@link HeaderLines#bytes} once its LF
 * is found, then the start line goes to {@link StartLine} and each header line to {@link HeaderRules}; the empty
 * line ends the head. Scanning resumes where the last call stopped, so a head that arrives a byte at a time costs no
 * more than one that arrives whole. Offsets are relative to the head's first byte: the bytes may move to a bigger
 * buffer between two calls, as long as the head starts at that buffer's reader index.
 */
final class HeadScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final MessageHead head;
    private final HeaderLines lines;
    private final int maxStartLine;
    private final int maxHeaders;

    /** Relative index of the first byte not scanned into a line yet. */
    private int next;
    private boolean startLineDone;
    private int headersStart;

    HeadScanner(MessageHead head, int maxStartLine, int maxHeaders) {
        this.head = head;
        this.lines = head.lines;
        this.maxStartLine = maxStartLine;
        this.maxHeaders = maxHeaders;
    }

    void reset() {
        next = 0;
        startLineDone = false;
        headersStart = 0;
    }

    /** See {@link MessageHead#scan}. */
    int scan(ByteBuf in) {
        MessageHead head = this.head;
        boolean request = head.request;
        int base = in.readerIndex();
        int limit = in.writerIndex() - base;
        while (next < limit) {
            int lf = in.indexOf(base + next, base + limit, LF);
            if (lf < 0) {
                return tooLongSoFar(limit);
            }
            int lineStart = next;
            int lineNext = lf - base + 1;
            byte[] bytes = lines.room(lineNext);
            in.getBytes(base + lineStart, bytes, lineStart, lineNext - lineStart);
            int contentEnd = lf - base;
            if (contentEnd > lineStart && bytes[contentEnd - 1] == CR) {
                contentEnd--;
            } else {
                head.bareLf = true;
            }
            next = lineNext;
            if (!startLineDone) {
                if (contentEnd > lineStart && StartLine.indexOf(bytes, lineStart, contentEnd, CR) >= 0) {
                    return head.fail(HeadViolation.BARE_CR);
                }
                if (contentEnd == lineStart) {
                    if (!request || next > maxStartLine) {
                        return head.fail(HeadViolation.LEADING_EMPTY_LINES);
                    }
                    head.start = next; // RFC 9112 section 2.2: empty lines before a request line are ignored
                    continue;
                }
                if (contentEnd - lineStart > maxStartLine) {
                    return head.fail(HeadViolation.START_LINE_TOO_LONG);
                }
                HeadViolation broken = request ? StartLine.request(head, bytes, lineStart, contentEnd)
                        : StartLine.status(head, bytes, lineStart, contentEnd);
                if (broken != null) {
                    return head.fail(broken);
                }
                head.startLineEnd = contentEnd;
                startLineDone = true;
                headersStart = next;
                continue;
            }
            if (next - headersStart > maxHeaders) {
                return head.fail(HeadViolation.HEADERS_TOO_LARGE);
            }
            if (contentEnd == lineStart) {
                head.length = next;
                HeadViolation broken = HeaderRules.atEnd(head);
                return broken == null ? MessageHead.COMPLETE : head.fail(broken);
            }
            HeadViolation broken = HeaderRules.line(head, bytes, lineStart, contentEnd, lineNext);
            if (broken != null) {
                return head.fail(broken);
            }
        }
        return tooLongSoFar(limit);
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
