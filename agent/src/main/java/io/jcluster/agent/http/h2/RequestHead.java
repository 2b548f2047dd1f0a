package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.HeadViolation;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

import java.util.EnumSet;
import java.util.Map;

/**
 * An HTTP/2 request's header block as the head of an HTTP/1.1 request (RFC 9113 section 8.3.1), written into the
 * {@link MessageHead} the proxy's exchange reads, line by line, each line read by the same rules as an HTTP/1.1
 * client's (framing, Host, limits, control characters; then the exchange's hop-by-hop and forwarding rules) without
 * being written as bytes and scanned again: {@code :method}, {@code :path} and HTTP/1.1 make the request line;
 * {@code :authority} the {@code host} field (a client's own {@code host} beside it is left out: the authority wins,
 * as the old conversion did); the {@code cookie} crumbs one line joined by "; " (section 8.2.3); the other
 * pseudo-header fields are left out; a body without {@code content-length} is sent {@code transfer-encoding: chunked}.
 *
 * <p>No field may turn into more than one HTTP/1.1 line or another request: a name that is not a lowercase token or
 * a value with CR, LF or NUL (section 8.2.1) makes the request malformed (the stream is reset, nothing reaches the
 * proxy). HPACK can carry any byte, so without the rules {@code x: a\r\nTransfer-Encoding: chunked} would be request
 * smuggling. A head that breaks an HTTP/1.1 rule otherwise (two content-lengths, an invalid host, too large) is
 * answered by the exchange as an HTTP/1.1 client's is.
 */
public final class RequestHead {

    /** {@link #fill}: the head is whole and passed every rule. */
    public static final int READY = 0;
    /** {@link #fill}: the head breaks an HTTP/1.1 rule ({@link MessageHead#violation()}): the exchange answers it. */
    public static final int REFUSED = 1;
    /** {@link #fill}: a field HTTP/1.1 cannot carry (RFC 9113 section 8.1.1): the stream is reset. */
    static final int MALFORMED = 2;

    static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString HEAD = AsciiString.cached("HEAD");
    private static final byte[] SP = {' '};
    private static final byte[] VERSION = " HTTP/1.1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CRUMB_SEPARATOR = {';', ' '};
    private static final byte[] HOST_COLON_SP = "host: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int HOST_LENGTH = 4;
    private static final int TRANSFER_ENCODING_LENGTH = 17;
    private static final boolean[] TOKEN = new boolean[128];

    /** What the HTTP/1.1 rules refuse when a field or the request line would not read back as it was written. */
    private static final EnumSet<HeadViolation> UNWRITABLE = EnumSet.of(HeadViolation.BARE_CR,
            HeadViolation.MALFORMED_REQUEST_LINE, HeadViolation.INVALID_METHOD, HeadViolation.INVALID_TARGET,
            HeadViolation.UNSUPPORTED_VERSION, HeadViolation.OBS_FOLD, HeadViolation.NO_COLON,
            HeadViolation.INVALID_NAME, HeadViolation.EMPTY_NAME, HeadViolation.CONTROL_IN_VALUE);

    static {
        // RFC 9110 section 5.6.2 tchar; HTTP/2 field names are lowercase (RFC 9113 section 8.2.1)
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private RequestHead() {
    }

    /** Whether the request is a HEAD (its response has no body). */
    static boolean isHead(Http2Headers headers) {
        return HEAD.contentEquals(headers.method());
    }

    /**
     * Writes the request's head into {@code head} (reset first) and reads it by the HTTP/1.1 rules.
     *
     * @param chunked the body goes chunked (it has no content-length)
     * @return {@link #READY}, {@link #REFUSED} or {@link #MALFORMED}
     */
    public static int fill(MessageHead head, Http2Headers headers, boolean chunked) {
        head.reset();
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        CharSequence authority = headers.authority();
        if (method == null || path == null) {
            return MALFORMED; // RFC 9113 section 8.3.1
        }
        head.append(method);
        head.append(SP);
        head.append(path);
        head.append(VERSION);
        if (head.endStartLine() == MessageHead.FAILED) {
            return refused(head);
        }
        if (authority != null) {
            head.append(HOST_COLON_SP);
            head.append(authority);
            if (head.endHeaderLine(HOST_LENGTH) == MessageHead.FAILED) {
                return refused(head);
            }
            int host = head.count() - 1;
            if (head.valueEnd(host) - head.valueStart(host) != authority.length()) {
                return MALFORMED; // whitespace around it, which the host line would lose
            }
        }
        boolean cookies = false;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            int n = name.length();
            if (n > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (!lowercase(name)) {
                return MALFORMED;
            }
            if (n == HOST_LENGTH && authority != null && HOST.contentEquals(name) || extension(name)) {
                continue;
            }
            if (COOKIE.contentEquals(name)) {
                cookies = true;
                continue;
            }
            head.append(name);
            head.append(COLON_SP);
            head.append(field.getValue());
            if (head.endHeaderLine(n) == MessageHead.FAILED) {
                return refused(head);
            }
        }
        if (cookies) {
            head.append(COOKIE);
            head.append(COLON_SP);
            boolean first = true;
            for (Map.Entry<CharSequence, CharSequence> field : headers) {
                if (COOKIE.contentEquals(field.getKey())) {
                    if (!first) {
                        head.append(CRUMB_SEPARATOR);
                    }
                    first = false;
                    head.append(field.getValue());
                }
            }
            if (head.endHeaderLine(COOKIE.length()) == MessageHead.FAILED) {
                return refused(head);
            }
        }
        if (chunked) {
            head.append(CHUNKED);
            if (head.endHeaderLine(TRANSFER_ENCODING_LENGTH) == MessageHead.FAILED) {
                return refused(head);
            }
        }
        return head.endHead() == MessageHead.COMPLETE ? READY : refused(head);
    }

    private static int refused(MessageHead head) {
        return UNWRITABLE.contains(head.violation()) ? MALFORMED : REFUSED;
    }

    /** RFC 9113 section 8.2.1: a field name with an uppercase letter is malformed (the rest of a token: the rules). */
    private static boolean lowercase(CharSequence name) {
        for (int i = 0, n = name.length(); i < n; i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return false;
            }
        }
        return true;
    }

    private static final int CRLF = ('\r' << 8) | '\n';
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

    /**
     * Whether a request's trailers may become an HTTP/1.1 trailer section: fields as in the head (lowercase token
     * names, values without CR, LF or NUL: section 8.2.1), and no pseudo-header field (section 8.1: malformed).
     */
    static boolean trailersValid(Http2Headers trailers) {
        for (Map.Entry<CharSequence, CharSequence> field : trailers) {
            if (!token(field.getKey(), true) || !value(field.getValue())) {
                return false; // ':' is no token character: a pseudo-header field is refused here too
            }
        }
        return true;
    }

    /** A chunked request body's last chunk and trailer section (RFC 9112 section 7.1.2), from valid trailers. */
    static ByteBuf lastChunk(ByteBufAllocator alloc, Http2Headers trailers) {
        int size = LAST_CHUNK.length + 2;
        for (Map.Entry<CharSequence, CharSequence> field : trailers) {
            size += field.getKey().length() + field.getValue().length() + 4;
        }
        ByteBuf out = alloc.directBuffer(size);
        out.writeBytes(LAST_CHUNK);
        for (Map.Entry<CharSequence, CharSequence> field : trailers) {
            ascii(out, field.getKey());
            out.writeByte(':').writeByte(' ');
            ascii(out, field.getValue());
            out.writeShort(CRLF);
        }
        out.writeShort(CRLF);
        return out;
    }

    /** The names Netty's old HTTP/1 conversion used for stream facts: a client's own are not passed on. */
    private static boolean extension(CharSequence name) {
        if (name.length() <= 8 || !AsciiString.regionMatches(name, true, 0, "x-http2-", 0, 8)) {
            return false;
        }
        for (HttpConversionUtil.ExtensionHeaderNames extension : HttpConversionUtil.ExtensionHeaderNames.values()) {
            if (extension.text().contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean token(CharSequence s, boolean lowercase) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !(TOKEN[c] || !lowercase && c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9113 section 8.2.1: a field value has no NUL, CR or LF. */
    private static boolean value(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static void ascii(ByteBuf out, CharSequence s) {
        if (s instanceof AsciiString a) {
            out.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            for (int i = 0, n = s.length(); i < n; i++) {
                out.writeByte(s.charAt(i));
            }
        }
    }
}
