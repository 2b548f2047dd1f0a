package io.jcluster.agent.http.grpc;

import io.jcluster.agent.http.proxy.ForwardedHeaders;
import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The forwarding headers of a call's request, by http mode's rules ({@link ForwardedHeaders}, not a copy of them):
 * from a client every X-Forwarded-*, Forwarded, X-Real-IP and the like it sent is removed and the parent's own are
 * added; a trusted proxy's X-Forwarded-For and Forwarded are appended to. The HTTP/2 header list is written once as
 * an HTTP/1.1 head (into a buffer of this connection's, reused), which {@link ForwardedHeaders} reads and writes as it
 * does every HTTP/1.1 request; what it drops is removed from the list and what it writes is added. A header list that
 * breaks HTTP/1.1's rules for a head (a control character in a value, two Host, a bad Content-Length) is refused, as
 * http mode refuses it from an HTTP/2 client.
 *
 * <p>One per client connection (its peer's trust is decided once), used on its event loop only. From a client the
 * block written is the same for every call with the same {@code :authority}: its fields are parsed once and reused.
 */
final class GrpcForwarding {

    private static final byte[] START = ascii("POST / HTTP/1.1\r\n");
    private static final byte[] HOST = ascii("host: ");
    private static final byte[] SEPARATOR = ascii(": ");
    private static final byte[] CRLF = ascii("\r\n");
    /** HTTP/2 counts 32 bytes per field beyond name and value (RFC 9113 section 6.5.2), HTTP/1.1 four: room enough. */
    private static final int MAX_HEAD = 2 * HttpSettings.MAX_REQUEST_HEADERS + 1024;

    private final ForwardedHeaders forwarded;
    private final boolean trusted;
    private final MessageHead head = new MessageHead(true, START.length, MAX_HEAD);
    private final ByteBuf in = Unpooled.buffer(1024);
    private final ByteBuf out = Unpooled.buffer(256);
    /** The last block written (from a client: the same for the same authority) and its fields. */
    private final ByteBuf lastBlock = Unpooled.buffer(256);
    private final List<AsciiString> names = new ArrayList<>(8);
    private final List<AsciiString> values = new ArrayList<>(8);

    GrpcForwarding(ForwardedHeaders forwarded, boolean trusted) {
        this.forwarded = forwarded;
        this.trusted = trusted;
    }

    /**
     * Rewrites {@code headers} in place.
     *
     * @return null, or why the header list cannot be forwarded
     */
    String rewrite(Http2Headers headers) {
        in.clear();
        in.writeBytes(START);
        CharSequence authority = headers.authority();
        if (authority != null && !headers.contains("host")) {
            in.writeBytes(HOST);
            ByteBufUtil.writeAscii(in, authority);
            in.writeBytes(CRLF);
        }
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            ByteBufUtil.writeAscii(in, name);
            in.writeBytes(SEPARATOR);
            ByteBufUtil.writeAscii(in, field.getValue()); // HPACK gives each octet as one char
            in.writeBytes(CRLF);
        }
        in.writeBytes(CRLF);
        head.reset();
        if (head.scan(in) != MessageHead.COMPLETE) {
            return head.error() == null ? "the request's header list is too large" : head.error();
        }
        forwarded.drop(head);
        byte[] bytes = head.bytes();
        for (int i = 0; i < head.count(); i++) {
            if (head.dropped(i)) {
                headers.remove(new AsciiString(bytes, head.lineStart(i), head.nameEnd(i) - head.lineStart(i), true));
            }
        }
        out.clear();
        out.ensureWritable(forwarded.room() + 512);
        forwarded.write(out, head, null);
        if (trusted || !ByteBufUtil.equals(out, lastBlock)) {
            parse(out);
        }
        for (int i = 0; i < names.size(); i++) {
            headers.add(names.get(i), values.get(i));
        }
        return null;
    }

    /** The "name: value" CRLF lines {@link ForwardedHeaders#write} wrote (lower-case names, no line folding). */
    private void parse(ByteBuf block) {
        lastBlock.clear().writeBytes(block, block.readerIndex(), block.readableBytes());
        names.clear();
        values.clear();
        byte[] bytes = ByteBufUtil.getBytes(block);
        int line = 0;
        while (line < bytes.length) {
            int end = line;
            while (end < bytes.length && bytes[end] != '\r') {
                end++;
            }
            int colon = line;
            while (colon < end && bytes[colon] != ':') {
                colon++;
            }
            int value = colon + 1;
            while (value < end && bytes[value] == ' ') {
                value++;
            }
            names.add(new AsciiString(bytes, line, colon - line, true));
            values.add(new AsciiString(bytes, value, end - value, true));
            line = end + 2;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
