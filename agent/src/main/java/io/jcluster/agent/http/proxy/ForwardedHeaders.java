package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.CacheRequest;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Tells the app who really connected, and removes what a client claims about that itself.
 *
 * <p>From a client (the default): every forwarding header it sent ({@link ForwardingHeaderNames}: X-Forwarded-*,
 * Forwarded, X-Real-IP, True-Client-IP, the TLS certificate headers, ...) is removed, whatever the spelling, and the
 * app gets jcluster's own: {@code X-Forwarded-For} and {@code X-Real-IP} = the peer's address,
 * {@code X-Forwarded-Proto} = http/https, {@code X-Forwarded-Port} = the listener's port, {@code X-Forwarded-Host} =
 * the request's Host, and RFC 7239 {@code Forwarded: for=..;host=..;proto=..}.
 *
 * <p>From a trusted proxy (trusted-proxies=): it vouches for what it sends, as with nginx's {@code set_real_ip_from}.
 * Its X-Forwarded-For and Forwarded are kept with the peer's entry appended (RFC 7239 section 4: each proxy adds
 * one); every other forwarding header it sent is passed on as it came, and of those jcluster writes only the ones it
 * did not send. X-Real-IP, if the proxy sent none, is the last X-Forwarded-For entry it sent (the client it saw,
 * nginx's real_ip without recursion), else the peer's address.
 *
 * <p>One per client connection, and the trust is decided once, when it opens: what does not change between its
 * requests is encoded once, and a request allocates nothing unless its Host differs from the previous one's.
 */
public final class ForwardedHeaders implements CacheRequest.KeyedFields {

    /**
     * The forwarding headers that tell the app its own URL (scheme, host, port, path prefix) and so change what it
     * renders (an absolute link, an http->https redirect): from a trusted peer they reach the app, so the response
     * cache keys on them.
     */
    private static final String[] RENDERING = {"x-forwarded-prefix", "x-forwarded-ssl", "x-forwarded-scheme",
            "x-forwarded-protocol", "x-url-scheme", "x-proxied-https", "front-end-https"};
    private static final byte[][] RENDERING_NAMES = new byte[RENDERING.length][];

    static {
        for (int i = 0; i < RENDERING.length; i++) {
            RENDERING_NAMES[i] = HeadWriter.ascii(RENDERING[i]);
        }
    }

    private static final byte[] X_FORWARDED_FOR = HeadWriter.ascii("x-forwarded-for: ");
    private static final byte[] X_FORWARDED_HOST = HeadWriter.ascii("x-forwarded-host: ");
    private static final byte[] X_REAL_IP = HeadWriter.ascii("x-real-ip: ");
    private static final byte[] FORWARDED = HeadWriter.ascii("forwarded: ");
    private static final byte[] LIST = HeadWriter.ascii(", ");
    private static final byte[] HOST = HeadWriter.ascii(";host=");

    private final boolean trusted;
    /** The client's address, as X-Forwarded-For lists it. */
    private final byte[] address;
    /** for=ADDRESS, IPv6 quoted and bracketed. */
    private final byte[] forwardedFor;
    /** ;proto=http CRLF */
    private final byte[] forwardedProto;
    /** x-forwarded-proto: http CRLF */
    private final byte[] protoLine;
    /** x-forwarded-port: PORT CRLF */
    private final byte[] portLine;
    /** From a client, the whole block a request without Host gets. */
    private final byte[] clientBlockWithoutHost;
    // what depends on the request's Host, encoded for the last Host seen
    private byte[] lastHost;
    private byte[] hostLine;
    private byte[] forwardedHost;
    /** From a client, the whole block for the last Host seen: one copy per request. */
    private byte[] clientBlock;
    /** Of the request at hand: a bit per header of ForwardingHeaderNames that a trusted peer sent and that is kept. */
    private int kept;

    /**
     * @param trusted whether {@code client} is a trusted proxy (trusted-proxies=)
     */
    public ForwardedHeaders(InetAddress client, boolean secure, int port, boolean trusted) {
        this.trusted = trusted;
        String text = client.getHostAddress();
        String proto = secure ? "https" : "http";
        address = HeadWriter.ascii(text);
        forwardedFor = HeadWriter.ascii(client instanceof Inet6Address ? "for=\"[" + text + "]\"" : "for=" + text);
        forwardedProto = HeadWriter.ascii(";proto=" + proto + "\r\n");
        protoLine = HeadWriter.ascii("x-forwarded-proto: " + proto + "\r\n");
        portLine = HeadWriter.ascii("x-forwarded-port: " + port + "\r\n");
        clientBlockWithoutHost = clientBlock(new byte[0], new byte[0]);
    }

    /** Everything a client's request gets, in the order {@link #write} writes it for a trusted peer. */
    private byte[] clientBlock(byte[] hostLine, byte[] forwardedHost) {
        ByteBuf block = Unpooled.buffer(256);
        block.writeBytes(X_FORWARDED_FOR).writeBytes(address).writeBytes(HeadWriter.CRLF)
                .writeBytes(protoLine).writeBytes(portLine).writeBytes(hostLine)
                .writeBytes(FORWARDED).writeBytes(forwardedFor).writeBytes(forwardedHost).writeBytes(forwardedProto)
                .writeBytes(X_REAL_IP).writeBytes(address).writeBytes(HeadWriter.CRLF);
        return ByteBufUtil.getBytes(block);
    }

    /**
     * Marks the forwarding headers of the request as dropped: all of them from a client, X-Forwarded-For and
     * Forwarded from a trusted proxy; {@link #write} then writes jcluster's own.
     */
    public void drop(MessageHead head) {
        kept = 0;
        byte[] in = head.bytes();
        for (int i = 0; i < head.count(); i++) {
            byte kind = head.kind(i);
            if (kind != MessageHead.OTHER && (kind < MessageHead.X_FORWARDED_FOR || kind > MessageHead.FORWARDED)) {
                continue; // Host, Cookie, the framing headers: known not to be one
            }
            int which = ForwardingHeaderNames.match(in, head.lineStart(i), head.nameEnd(i));
            if (which < 0) {
                continue;
            }
            if (!trusted || which == ForwardingHeaderNames.X_FORWARDED_FOR || which == ForwardingHeaderNames.FORWARDED) {
                head.drop(i);
            } else if (!head.dropped(i)) { // (one that Connection names is hop-by-hop, gone already)
                kept |= 1 << which;
            }
        }
    }

    /**
     * Whether the response cache keys on this request line: a forwarding header that says what URL the app is
     * reached by, sent by a trusted peer (so kept, and seen by the app). From a client, nothing: {@link #drop}
     * removes them all and the app sees only jcluster's own, which the key's scheme and Host already determine.
     * Allocates nothing.
     */
    @Override
    public boolean keyed(MessageHead head, int line) {
        if (!trusted) {
            return false;
        }
        byte kind = head.kind(line);
        if (kind != MessageHead.OTHER && (kind < MessageHead.X_FORWARDED_FOR || kind > MessageHead.FORWARDED)) {
            return false;
        }
        byte[] in = head.bytes();
        int which = ForwardingHeaderNames.match(in, head.lineStart(line), head.nameEnd(line));
        if (which == ForwardingHeaderNames.FORWARDED || which == ForwardingHeaderNames.X_FORWARDED_PROTO
                || which == ForwardingHeaderNames.X_FORWARDED_HOST || which == ForwardingHeaderNames.X_FORWARDED_PORT) {
            return true;
        }
        if (which != ForwardingHeaderNames.OTHER) {
            return false;
        }
        for (byte[] name : RENDERING_NAMES) {
            if (sameName(in, head.lineStart(line), head.nameEnd(line), name)) {
                return true;
            }
        }
        return false;
    }

    /** Ignoring case, '_' read as '-' (as {@link ForwardingHeaderNames#match}). */
    private static boolean sameName(byte[] in, int start, int end, byte[] lower) {
        if (end - start != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte c = in[start + i];
            if ((c == '_' ? '-' : c | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Room {@link #write} needs beside the values the request brings. */
    public int room() {
        return 128 + protoLine.length + portLine.length + 3 * address.length
                + (hostLine == null ? 0 : 2 * hostLine.length);
    }

    /**
     * @param hostOverride the Host the request goes on with when it had none (an HTTP/1.0 request), else null
     */
    public void write(ByteBuf out, MessageHead head, byte[] hostOverride) {
        byte[] in = head.bytes();
        int host = head.first(MessageHead.HOST);
        if (host >= 0) {
            hostChanged(in, head.valueStart(host), head.valueEnd(host));
        } else if (hostOverride != null) {
            hostChanged(hostOverride, 0, hostOverride.length);
        }
        boolean hasHost = host >= 0 || hostOverride != null;
        if (!trusted) {
            out.writeBytes(hasHost ? clientBlock : clientBlockWithoutHost);
            return;
        }
        out.writeBytes(X_FORWARDED_FOR);
        int lastFor = appendValues(out, head, ForwardingHeaderNames.X_FORWARDED_FOR);
        out.writeBytes(address).writeBytes(HeadWriter.CRLF);
        if (!kept(ForwardingHeaderNames.X_FORWARDED_PROTO)) {
            out.writeBytes(protoLine);
        }
        if (!kept(ForwardingHeaderNames.X_FORWARDED_PORT)) {
            out.writeBytes(portLine);
        }
        if (hasHost && !kept(ForwardingHeaderNames.X_FORWARDED_HOST)) {
            out.writeBytes(hostLine);
        }
        out.writeBytes(FORWARDED);
        appendValues(out, head, ForwardingHeaderNames.FORWARDED);
        out.writeBytes(forwardedFor);
        if (hasHost) {
            out.writeBytes(forwardedHost);
        }
        out.writeBytes(forwardedProto);
        if (!kept(ForwardingHeaderNames.X_REAL_IP)) {
            out.writeBytes(X_REAL_IP);
            if (lastFor < 0 || !lastEntry(out, in, head.valueStart(lastFor), head.valueEnd(lastFor))) {
                out.writeBytes(address);
            }
            out.writeBytes(HeadWriter.CRLF);
        }
    }

    private boolean kept(int which) {
        return (kept & 1 << which) != 0;
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
        if (!trusted) {
            clientBlock = clientBlock(hostLine, forwardedHost);
        }
    }

    /**
     * The values of every dropped line that is {@code which} (in any spelling), each followed by ", ".
     *
     * @return the last such line with a value, or -1
     */
    private static int appendValues(ByteBuf out, MessageHead head, int which) {
        int last = -1;
        for (int i = 0; i < head.count(); i++) {
            if (head.dropped(i) && head.valueEnd(i) > head.valueStart(i)
                    && ForwardingHeaderNames.match(head.bytes(), head.lineStart(i), head.nameEnd(i)) == which) {
                out.writeBytes(head.bytes(), head.valueStart(i), head.valueEnd(i) - head.valueStart(i)).writeBytes(LIST);
                last = i;
            }
        }
        return last;
    }

    /** Writes the last entry of a comma-separated list, trimmed; false (nothing written) if it is empty. */
    private static boolean lastEntry(ByteBuf out, byte[] in, int start, int end) {
        int s = end;
        while (s > start && in[s - 1] != ',') {
            s--;
        }
        while (s < end && (in[s] == ' ' || in[s] == '\t')) {
            s++;
        }
        int e = end;
        while (e > s && (in[e - 1] == ' ' || in[e - 1] == '\t')) {
            e--;
        }
        if (e == s) {
            return false;
        }
        out.writeBytes(in, s, e - s);
        return true;
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
