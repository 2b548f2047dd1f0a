package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * A chunked response's trailer section as the stream's last HEADERS frame (RFC 9113 section 8.1), as the HTTP/1.1
 * proxy passes it on: every field but the connection-specific ones ({@link ConnectionSpecific}), names lowercased.
 * Holds the framing bytes since the last chunk's data (a few per chunk; the last chunk's line and the trailer
 * section at the end, which the proxy's {@link io.jcluster.agent.http.wire.ChunkedScanner} has checked and bounded:
 * lines of a token name, a colon and a value without control characters, at most 16 KiB).
 */
final class ResponseTrailers {

    private static final int KEPT = 64;
    private byte[] bytes = new byte[KEPT];
    private int length;

    /** Chunk data came: the framing before it was no trailer section. */
    void clear() {
        length = 0;
        if (bytes.length > 4 * KEPT) {
            bytes = new byte[KEPT]; // a large trailer section is not held while the stream object waits
        }
    }

    /** Framing bytes of the chunked body (sizes, CRLFs, the trailer section). */
    void framing(ByteBuf data, int start, int end) {
        int n = end - start;
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + n));
        }
        data.getBytes(start, bytes, length, n);
        length += n;
    }

    /** Once the body is done: its trailer fields, or null when it has none to pass on. */
    Http2Headers fields() {
        byte[] b = bytes;
        int i = 0;
        if (length > 0 && b[0] == '\r') {
            i = 2; // the CRLF after the last chunk's data
        }
        while (i < length && b[i] != '\n') {
            i++; // the last chunk's line: 0, perhaps extensions
        }
        i++;
        AsciiString[] fields = null;
        int n = 0;
        while (i < length && b[i] != '\r') {
            int colon = i;
            while (b[colon] != ':') {
                colon++;
            }
            int lineEnd = colon;
            while (b[lineEnd] != '\r') {
                lineEnd++;
            }
            AsciiString name = ResponseFieldNames.name(b, i, colon);
            int valueStart = colon + 1;
            while (valueStart < lineEnd && (b[valueStart] == ' ' || b[valueStart] == '\t')) {
                valueStart++;
            }
            int valueEnd = lineEnd;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            if (!ConnectionSpecific.name(name)) {
                if (fields == null) {
                    fields = new AsciiString[8];
                } else if (n == fields.length) {
                    fields = Arrays.copyOf(fields, 2 * n);
                }
                fields[n++] = name;
                fields[n++] = new AsciiString(b, valueStart, valueEnd - valueStart, true);
            }
            i = lineEnd + 2;
        }
        clear();
        return n == 0 ? null : ReadOnlyHttp2Headers.trailers(false, Arrays.copyOf(fields, n));
    }
}
