package io.jcluster.agent.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line of the access log: what the client asked, who answered and how. Made on an event loop from the request's
 * head (every text already cut to a bounded length and made printable ASCII by {@link #printable}); turned into text
 * on the access log's own thread.
 *
 * @param endedAt  when the response ended (epoch milliseconds)
 * @param client   the client's address as the parent saw it
 * @param method   "-" when the request could not be read
 * @param target   the request target as sent, "-" when unknown
 * @param protocol "HTTP/1.1", "HTTP/1.0", or "-"
 * @param status   the status the client got; 499 when the client closed before its response was complete
 * @param bytes    the response body's bytes sent to the client
 * @param referer  null when absent
 * @param userAgent null when absent
 * @param worker   the worker that answered; -1 when none did (the parent's own answer, or none)
 * @param durationNanos from the request's first byte to the response's end
 * @param grpcStatus the grpc-status a gRPC call ended with (mode=grpc); -1 when none (http mode, or a call that
 *                   ended without one: reset, or its client gone)
 * @param requestBytes the request body's bytes from the client (mode=grpc: a call streams both ways); -1 when not
 *                     counted (http mode)
 */
public record AccessEntry(long endedAt, String client, String method, String target, String protocol, int status,
                          long bytes, String referer, String userAgent, int worker, long durationNanos,
                          int grpcStatus, long requestBytes) {

    /** An HTTP request's line: no grpc-status, no request bytes. */
    public AccessEntry(long endedAt, String client, String method, String target, String protocol, int status,
                       long bytes, String referer, String userAgent, int worker, long durationNanos) {
        this(endedAt, client, method, target, protocol, status, bytes, referer, userAgent, worker, durationNanos, -1,
                -1);
    }

    /** Longest request target kept; a longer one is cut and ends with "...". */
    public static final int MAX_TARGET = 2048;
    /** Longest Referer or User-Agent kept. */
    public static final int MAX_HEADER = 512;

    private static final DateTimeFormatter CLF_TIME = DateTimeFormatter.ofPattern("dd/MMM/uuuu:HH:mm:ss Z",
            Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The combined log format (Apache's and nginx's default), then the worker and the duration in seconds:
     * {@code 127.0.0.1 - - [30/Nov/2026:19:03:46 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.5.0" worker=1 duration=0.003};
     * a gRPC call's line adds {@code grpc-status=0 request-bytes=17} (each only when known).
     */
    public StringBuilder combined(StringBuilder out) {
        out.append(client).append(" - - [").append(CLF_TIME.format(Instant.ofEpochMilli(endedAt))).append("] \"");
        if (method.equals("-")) {
            out.append('-');
        } else {
            out.append(method).append(' ').append(target).append(' ').append(protocol);
        }
        out.append("\" ").append(status).append(' ').append(bytes).append(" \"")
                .append(referer == null ? "-" : referer).append("\" \"")
                .append(userAgent == null ? "-" : userAgent).append("\" worker=");
        if (worker < 0) {
            out.append('-');
        } else {
            out.append(worker);
        }
        out.append(" duration=");
        decimal(out, durationNanos / 1_000_000); // seconds, to the millisecond (nginx's $request_time)
        if (grpcStatus >= 0) {
            out.append(" grpc-status=").append(grpcStatus);
        }
        if (requestBytes >= 0) {
            out.append(" request-bytes=").append(requestBytes);
        }
        return out;
    }

    /** One JSON object with the same facts; {@code duration_ms} to the microsecond. */
    public StringBuilder json(StringBuilder out) {
        out.append("{\"time\":");
        JsonText.string(out, LogLine.iso(Instant.ofEpochMilli(endedAt)));
        out.append(",\"source\":\"access\",\"client\":");
        JsonText.string(out, client);
        out.append(",\"method\":");
        JsonText.string(out, method);
        out.append(",\"target\":");
        JsonText.string(out, target);
        out.append(",\"protocol\":");
        JsonText.string(out, protocol);
        out.append(",\"status\":").append(status).append(",\"bytes\":").append(bytes).append(",\"referer\":");
        JsonText.string(out, referer);
        out.append(",\"user_agent\":");
        JsonText.string(out, userAgent);
        out.append(",\"worker\":");
        if (worker < 0) {
            out.append("null");
        } else {
            out.append(worker);
        }
        out.append(",\"duration_ms\":");
        decimal(out, durationNanos / 1_000);
        if (grpcStatus >= 0) {
            out.append(",\"grpc_status\":").append(grpcStatus);
        }
        if (requestBytes >= 0) {
            out.append(",\"request_bytes\":").append(requestBytes);
        }
        return out.append('}');
    }

    /** A count of thousandths as a decimal number: 3214 -> "3.214". */
    private static StringBuilder decimal(StringBuilder out, long thousandths) {
        long whole = thousandths / 1000;
        long fraction = thousandths % 1000;
        out.append(whole).append('.');
        if (fraction < 100) {
            out.append('0');
        }
        if (fraction < 10) {
            out.append('0');
        }
        return out.append(fraction);
    }

    /**
     * Bytes a client sent, as text that cannot break a log line or a quoted field: printable ASCII stays, a quote, a
     * backslash and every other byte become {@code \xHH} (as Apache's log does), and past {@code max} characters the
     * text is cut and ends with "...".
     */
    public static String printable(byte[] bytes, int start, int end, int max) {
        StringBuilder out = new StringBuilder(Math.min(end - start, max) + 8);
        for (int i = start; i < end; i++) {
            if (out.length() >= max) {
                out.setLength(max);
                return out.append("...").toString();
            }
            int b = bytes[i] & 0xff;
            if (b < 0x20 || b >= 0x7f || b == '"' || b == '\\') {
                out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
            } else {
                out.append((char) b);
            }
        }
        return out.toString();
    }
}
