package io.jcluster.agent.http.proxy;

import io.jcluster.agent.log.AccessEntry;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One client connection's part in the access log ({@code access-log=}): the request in progress as its head said
 * (read before the head is rewritten or forgotten), then one {@link AccessEntry} when its response ends, however it
 * ends: relayed from a worker, answered from the cache or by the parent, cut, or abandoned by the client (499, as
 * nginx logs it). One per connection, and only when the access log is on; each request's texts are the only
 * allocation.
 */
final class AccessRecord {

    private static final byte[] REFERER = "referer".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USER_AGENT = "user-agent".getBytes(StandardCharsets.US_ASCII);
    /** nginx's status for a request whose client closed the connection before the response was complete. */
    static final int CLIENT_CLOSED = 499;

    private final AccessLog log;
    private final String client;

    private boolean pending;
    private long startedAt;
    private String method;
    private String target;
    private String protocol;
    private String referer;
    private String userAgent;
    /** The status of the response the client is getting; 0 until its head is sent. */
    private int status;

    /** Whether the client's requests are HTTP/2 streams (the head the proxy reads is their HTTP/1.1 form). */
    private final boolean http2;

    AccessRecord(AccessLog log, SocketAddress client) {
        this(log, client, false);
    }

    AccessRecord(AccessLog log, SocketAddress client, boolean http2) {
        this.log = log;
        this.http2 = http2;
        this.client = client instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress() : "-";
    }

    /** A request head is in (scanned, not yet rewritten). */
    void request(MessageHead head, long startedAt) {
        byte[] bytes = head.bytes();
        int start = head.startLineStart();
        int methodEnd = start;
        while (methodEnd < head.startLineEnd() && bytes[methodEnd] != ' ') {
            methodEnd++;
        }
        int targetStart = Math.min(methodEnd + 1, head.versionStart());
        int targetEnd = Math.max(targetStart, head.versionStart() - 1);
        this.method = AccessEntry.printable(bytes, start, methodEnd, 32);
        this.target = AccessEntry.printable(bytes, targetStart, targetEnd, AccessEntry.MAX_TARGET);
        this.protocol = http2 ? "HTTP/2.0" : head.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
        this.referer = header(head, REFERER);
        this.userAgent = header(head, USER_AGENT);
        this.startedAt = startedAt;
        this.status = 0;
        this.pending = true;
    }

    /** The final response head the client gets has this status. */
    void status(int status) {
        this.status = status;
    }

    /** The response ended as it should. */
    void ended(long now, long bytes, int worker) {
        write(now, status, bytes, worker);
    }

    /** A response from the cache went out (its whole body, or only its head for HEAD). */
    void answered(int status, long now, long bytes, int worker) {
        write(now, status, bytes, worker);
    }

    /**
     * The parent answered with an error of its own ({@code status}); a head that could not be read is logged with
     * "-" as its request.
     */
    void parentAnswered(int status, long now) {
        if (!pending) {
            method = "-";
            target = "-";
            protocol = "-";
            referer = null;
            userAgent = null;
            startedAt = now;
            pending = true;
        }
        write(now, status, 0, -1);
    }

    /**
     * The connection closed with the response in progress: its status if its head went out (the worker cut it),
     * else 499 (the client gave up waiting).
     */
    void closed(long now, long bytes, int worker) {
        write(now, status != 0 ? status : CLIENT_CLOSED, bytes, worker);
    }

    /**
     * A client turned away before the proxy took it (max-connections: {@link RejectHandler}) was answered
     * {@code status}; its request as Netty's decoder read it, "-" when it could not be read.
     */
    void turnedAway(HttpRequest request, int status, long startedAt, long now) {
        boolean read = request.decoderResult().isSuccess();
        this.method = read ? text(request.method().name(), 32) : "-";
        this.target = read ? text(request.uri(), AccessEntry.MAX_TARGET) : "-";
        this.protocol = !read ? "-" : http2 ? "HTTP/2.0"
                : request.protocolVersion().minorVersion() == 0 ? "HTTP/1.0" : "HTTP/1.1";
        String referer = read ? request.headers().get(HttpHeaderNames.REFERER) : null;
        String userAgent = read ? request.headers().get(HttpHeaderNames.USER_AGENT) : null;
        this.referer = referer == null ? null : text(referer, AccessEntry.MAX_HEADER);
        this.userAgent = userAgent == null ? null : text(userAgent, AccessEntry.MAX_HEADER);
        this.startedAt = startedAt;
        this.pending = true;
        write(now, status, 0, -1);
    }

    /** Text Netty decoded (one char per byte, ISO-8859-1) made printable as the scanner's bytes are. */
    private static String text(String decoded, int max) {
        byte[] bytes = decoded.getBytes(StandardCharsets.ISO_8859_1);
        return AccessEntry.printable(bytes, 0, bytes.length, max);
    }

    /** An upgrade (101): the connection is a tunnel now, no longer requests. */
    void switched(long now, int worker) {
        write(now, 101, 0, worker);
    }

    private void write(long now, int status, long bytes, int worker) {
        if (!pending) {
            return; // logged already (a cached answer, then its worker's dropped response)
        }
        pending = false;
        log.write(new AccessEntry(System.currentTimeMillis(), client, method, target, protocol, status, bytes,
                referer, userAgent, worker, Math.max(0, now - startedAt)));
    }

    /** The first line named {@code name} (lower case), as printable text; null when there is none. */
    private static String header(MessageHead head, byte[] name) {
        byte[] bytes = head.bytes();
        for (int i = 0; i < head.count(); i++) {
            int s = head.lineStart(i);
            int e = head.nameEnd(i);
            if (e - s == name.length && sameIgnoringCase(bytes, s, name)) {
                return AccessEntry.printable(bytes, head.valueStart(i), head.valueEnd(i), AccessEntry.MAX_HEADER);
            }
        }
        return null;
    }

    private static boolean sameIgnoringCase(byte[] bytes, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int b = bytes[start + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
