package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Writes a scanned head on: its start line and the header lines not dropped, copied as they came (runs of kept
 * lines in one copy), then whatever the caller adds, then the final empty line ({@link #end}).
 */
public final class HeadWriter {

    public static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);

    private HeadWriter() {
    }

    /**
     * @param extra          room for the lines the caller adds
     * @param asHttp11       write the request line's version as HTTP/1.1 (an HTTP/1.0 client's request to a worker)
     */
    public static ByteBuf begin(ByteBufAllocator alloc, MessageHead head, int extra, boolean asHttp11) {
        return begin(alloc.directBuffer(head.length() + extra), head, asHttp11);
    }

    /** As {@link #begin(ByteBufAllocator, MessageHead, int, boolean)}, into {@code out} (a buffer the caller reuses). */
    public static ByteBuf begin(ByteBuf out, MessageHead head, boolean asHttp11) {
        byte[] in = head.bytes();
        int start = head.startLineStart();
        if (asHttp11) {
            out.writeBytes(in, start, head.versionStart() - start).writeBytes(HTTP_1_1);
        } else {
            out.writeBytes(in, start, head.startLineEnd() - start);
        }
        out.writeBytes(CRLF);
        int count = head.count();
        if (head.bareLf()) {
            for (int i = 0; i < count; i++) {
                if (!head.dropped(i)) {
                    out.writeBytes(in, head.lineStart(i), head.valueEnd(i) - head.lineStart(i)).writeBytes(CRLF);
                }
            }
            return out;
        }
        int run = -1; // start of the run of kept lines being collected
        for (int i = 0; i < count; i++) {
            if (head.dropped(i)) {
                if (run >= 0) {
                    out.writeBytes(in, run, head.lineStart(i) - run);
                    run = -1;
                }
            } else if (run < 0) {
                run = head.lineStart(i);
            }
        }
        if (run >= 0) {
            out.writeBytes(in, run, head.lineNext(count - 1) - run);
        }
        return out;
    }

    /** The final empty line. */
    public static void end(ByteBuf out) {
        out.writeBytes(CRLF);
    }

    /** Whether any line is dropped (else the head can go on as it came). */
    public static boolean anyDropped(MessageHead head) {
        for (int i = 0; i < head.count(); i++) {
            if (head.dropped(i)) {
                return true;
            }
        }
        return false;
    }

    public static void header(ByteBuf out, byte[] nameColonSpace, String value) {
        out.writeBytes(nameColonSpace);
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF);
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
