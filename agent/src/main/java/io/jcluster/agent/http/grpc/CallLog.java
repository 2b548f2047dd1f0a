package io.jcluster.agent.http.grpc;

import io.jcluster.agent.log.AccessEntry;
import io.jcluster.agent.log.AccessLog;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * One client connection's part in the access log ({@code access-log=}) in mode=grpc: one line per call, as nginx
 * and HAProxy log one per gRPC request: {@code "POST /package.Service/Method HTTP/2.0"}, the HTTP status the client
 * got (499 when it went away before any response), the response and request bytes, the worker, the duration and
 * the grpc-status the call ended with. The line's texts are made only when the call ends, and the entry goes to the
 * log's bounded queue (dropped and counted when the disk is behind); made only when the access log is on.
 */
final class CallLog {

    /** nginx's status for a request whose client closed before its response began. */
    static final int CLIENT_CLOSED = 499;

    private final AccessLog log;
    private final String client;

    CallLog(AccessLog log, String client) {
        this.log = log;
        this.client = client;
    }

    /**
     * @param method     the request's :method
     * @param path       the request's :path
     * @param userAgent  null when absent
     * @param status     the HTTP status the client got, 0 when none
     * @param grpcStatus -1 when the call ended without one
     * @param worker     -1 when no worker answered
     */
    void call(CharSequence method, CharSequence path, CharSequence userAgent, int status, int grpcStatus,
              long toClient, long fromClient, int worker, long durationNanos) {
        log.write(new AccessEntry(System.currentTimeMillis(), client, text(method, 32),
                text(path, AccessEntry.MAX_TARGET), "HTTP/2.0", status == 0 ? CLIENT_CLOSED : status, toClient, null,
                userAgent == null ? null : text(userAgent, AccessEntry.MAX_HEADER), worker, durationNanos, grpcStatus,
                fromClient));
    }

    /** HPACK's octets (one char each) as printable log text, as http mode's access log makes a head's bytes. */
    private static String text(CharSequence value, int max) {
        if (value == null) {
            return "-";
        }
        if (value instanceof AsciiString ascii) {
            return AccessEntry.printable(ascii.array(), ascii.arrayOffset(), ascii.arrayOffset() + ascii.length(),
                    max);
        }
        byte[] bytes = value.toString().getBytes(StandardCharsets.ISO_8859_1);
        return AccessEntry.printable(bytes, 0, bytes.length, max);
    }
}
