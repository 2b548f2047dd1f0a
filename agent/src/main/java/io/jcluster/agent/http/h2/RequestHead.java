package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

import java.util.Map;

/**
 * An HTTP/2 request's header block as the head of an HTTP/1.1 request, in one buffer, for the proxy's own HTTP/1.1
 * scanner to check and rewrite as it does every client's bytes (RFC 9113 section 8.3.1): {@code :method},
 * {@code :path} and HTTP/1.1 make the request line; {@code :authority} the {@code host} field (a client's own
 * {@code host} beside it is left out: the authority wins, as the old conversion did); the {@code cookie} crumbs one
 * line joined by "; " (section 8.2.3); the other pseudo-header fields are left out; a body without
 * {@code content-length} is sent {@code transfer-encoding: chunked}.
 *
 * <p>No field may turn into more than one HTTP/1.1 line or another request: a name that is not a lowercase token or
 * a value with CR, LF or NUL (section 8.2.1) makes the request malformed. HPACK can carry any byte, and Netty's
 * decoder does not check values, so without this check {@code x: a\r\nTransfer-Encoding: chunked} would be request
 * smuggling.
 */
final class RequestHead {

    static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString HEAD = AsciiString.cached("HEAD");
    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HOST_LINE = "host: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] COOKIE_LINE = "cookie: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final boolean[] TOKEN = new boolean[128];

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

    /** @return the head (ending with the empty line), or null when the request is malformed */
    static ByteBuf write(ByteBufAllocator alloc, Http2Headers headers, boolean chunked) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        CharSequence authority = headers.authority();
        if (method == null || path == null || !token(method, false) || !target(path)
                || authority != null && !target(authority)) {
            return null;
        }
        int size = method.length() + path.length() + VERSION.length + 2 + CHUNKED.length
                + (authority == null ? 0 : HOST_LINE.length + authority.length() + 2);
        boolean cookies = false;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (!token(name, true) || !value(field.getValue())) {
                return null;
            }
            size += name.length() + field.getValue().length() + 4;
        }
        ByteBuf out = alloc.directBuffer(size + COOKIE_LINE.length);
        ascii(out, method);
        out.writeByte(' ');
        ascii(out, path);
        out.writeBytes(VERSION);
        if (authority != null) {
            out.writeBytes(HOST_LINE);
            ascii(out, authority);
            out.writeShort(CRLF);
        }
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.charAt(0) == ':' || authority != null && HOST.contentEquals(name) || extension(name)) {
                continue;
            }
            if (COOKIE.contentEquals(name)) {
                cookies = true;
                continue;
            }
            ascii(out, name);
            out.writeByte(':').writeByte(' ');
            ascii(out, field.getValue());
            out.writeShort(CRLF);
        }
        if (cookies) {
            out.writeBytes(COOKIE_LINE);
            boolean first = true;
            for (Map.Entry<CharSequence, CharSequence> field : headers) {
                if (COOKIE.contentEquals(field.getKey())) {
                    if (!first) {
                        out.writeByte(';').writeByte(' ');
                    }
                    first = false;
                    ascii(out, field.getValue());
                }
            }
            out.writeShort(CRLF);
        }
        if (chunked) {
            out.writeBytes(CHUNKED);
        }
        out.writeShort(CRLF);
        return out;
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

    /** A request target or authority: visible characters only, no space (it ends the request line). */
    private static boolean target(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || c > 0xff) {
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
