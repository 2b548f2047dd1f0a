package io.jcluster.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Tells the app who really connected, the way an nginx or HAProxy in front of it would: X-Forwarded-For and
 * RFC 7239 Forwarded are appended to (earlier proxies keep their entries); X-Forwarded-Proto, -Host and -Port
 * describe the connection to jcluster and replace what the client sent. One per client connection: what does not
 * change between its requests is encoded once.
 */
final class ForwardedHeaders {

    private static final byte[] X_FORWARDED_FOR = HeadWriter.ascii("x-forwarded-for: ");
    private static final byte[] X_FORWARDED_HOST = HeadWriter.ascii("x-forwarded-host: ");
    private static final byte[] FORWARDED = HeadWriter.ascii("forwarded: ");
    private static final byte[] LIST = HeadWriter.ascii(", ");
    private static final byte[] HOST = HeadWriter.ascii(";host=");

    /** The client's address, as X-Forwarded-For lists it. */
    private final byte[] address;
    /** for=ADDRESS, IPv6 quoted and bracketed. */
    private final byte[] forwardedFor;
    /** ;proto=http CRLF */
    private final byte[] forwardedProto;
    /** x-forwarded-proto: http CRLF x-forwarded-port: PORT CRLF */
    private final byte[] protoAndPort;
    // what depends on the request's Host, encoded for the last Host seen
    private byte[] lastHost;
    private byte[] hostLine;
    private byte[] forwardedHost;

    ForwardedHeaders(InetAddress client, boolean secure, int port) {
        String text = client.getHostAddress();
        String proto = secure ? "https" : "http";
        address = HeadWriter.ascii(text);
        forwardedFor = HeadWriter.ascii(client instanceof Inet6Address ? "for=\"[" + text + "]\"" : "for=" + text);
        forwardedProto = HeadWriter.ascii(";proto=" + proto + "\r\n");
        protoAndPort = HeadWriter.ascii("x-forwarded-proto: " + proto + "\r\nx-forwarded-port: " + port + "\r\n");
    }

    /** Marks the forwarding headers the client sent as dropped: {@link #write} writes them anew. */
    static void drop(MessageHead head) {
        for (int i = 0; i < head.count(); i++) {
            byte kind = head.kind(i);
            if (kind >= MessageHead.X_FORWARDED_FOR && kind <= MessageHead.FORWARDED) {
                head.drop(i);
            }
        }
    }

    /** Room {@link #write} needs beside the values the request brings. */
    int room() {
        return 128 + protoAndPort.length + 2 * address.length + (hostLine == null ? 0 : 2 * hostLine.length);
    }

    /**
     * @param hostOverride the Host the request goes on with when it had none (an HTTP/1.0 request), else null
     */
    void write(ByteBuf out, MessageHead head, byte[] hostOverride) {
        byte[] in = head.bytes();
        out.writeBytes(X_FORWARDED_FOR);
        appendValues(out, head, MessageHead.X_FORWARDED_FOR);
        out.writeBytes(address).writeBytes(HeadWriter.CRLF);
        out.writeBytes(protoAndPort);
        int host = head.first(MessageHead.HOST);
        if (host >= 0) {
            hostChanged(in, head.valueStart(host), head.valueEnd(host));
        } else if (hostOverride != null) {
            hostChanged(hostOverride, 0, hostOverride.length);
        }
        boolean hasHost = host >= 0 || hostOverride != null;
        if (hasHost) {
            out.writeBytes(hostLine);
        }
        out.writeBytes(FORWARDED);
        appendValues(out, head, MessageHead.FORWARDED);
        out.writeBytes(forwardedFor);
        if (hasHost) {
            out.writeBytes(forwardedHost);
        }
        out.writeBytes(forwardedProto);
    }

    /** Encodes what depends on the Host unless it is the one of the last request (the usual case). */
    private void hostChanged(byte[] in, int start, int end) {
        if (lastHost != null && lastHost.length == end - start) {
            boolean same = true;
            for (int i = 0; i < lastHost.length && same; i++) {
                same = lastHost[i] == in[start + i];
            }
            if (same) {
                return;
            }
        }
        lastHost = java.util.Arrays.copyOfRange(in, start, end);
        ByteBuf line = Unpooled.buffer(X_FORWARDED_HOST.length + lastHost.length + 2);
        line.writeBytes(X_FORWARDED_HOST).writeBytes(lastHost).writeBytes(HeadWriter.CRLF);
        hostLine = ByteBufUtil.getBytes(line);
        ByteBuf element = Unpooled.buffer(HOST.length + lastHost.length + 8);
        element.writeBytes(HOST);
        token(element, in, start, end);
        forwardedHost = ByteBufUtil.getBytes(element);
    }

    /** The values of every line of {@code kind}, each followed by ", ". */
    private static void appendValues(ByteBuf out, MessageHead head, byte kind) {
        for (int i = 0; i < head.count(); i++) {
            if (head.kind(i) == kind && head.valueEnd(i) > head.valueStart(i)) {
                out.writeBytes(head.bytes(), head.valueStart(i), head.valueEnd(i) - head.valueStart(i)).writeBytes(LIST);
            }
        }
    }

    /** A value as an RFC 7230 token, quoted when it holds anything else (a host's ':' does). */
    private static void token(ByteBuf out, byte[] in, int start, int end) {
        boolean plain = true;
        for (int i = start; i < end && plain; i++) {
            byte c = in[i];
            plain = c >= '0' && c <= '9' || (c | 0x20) >= 'a' && (c | 0x20) <= 'z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
        if (plain) {
            out.writeBytes(in, start, end - start);
            return;
        }
        out.writeByte('"');
        for (int i = start; i < end; i++) {
            byte c = in[i];
            if (c == '"' || c == '\\') {
                out.writeByte('\\');
            }
            out.writeByte(c);
        }
        out.writeByte('"');
    }
}
