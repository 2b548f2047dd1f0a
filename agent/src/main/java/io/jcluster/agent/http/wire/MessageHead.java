package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.x message (request line or status line, then header lines), scanned in place in the
 * bytes that carry it: nothing is decoded into objects. The proxy needs only the framing headers and a few others
 * (see the name constants); every header line is recorded by its offsets so that the head can be passed on as
 * raw bytes minus the lines a proxy must drop. Scanning resumes where the last call stopped, so a head that
 * arrives a byte at a time costs no more than one that arrives whole.
 *
 * <p>Each line is copied into an array once its end is found, and parsed there (plain array reads are much cheaper
 * than buffer reads). Offsets are relative to the first byte of the head: the bytes may move to a bigger buffer
 * between two calls of {@link #scan}, as long as the head starts at that buffer's reader index.
 *
 * <p>Strict where leniency lets a request mean one thing to jcluster and another to the worker (request
 * smuggling): obs-fold, whitespace before a colon, a bare CR, a repeated Content-Length, Transfer-Encoding with
 * Content-Length, and a request Transfer-Encoding other than {@code chunked} are all malformed. A request must also
 * carry exactly one valid Host (none is allowed in HTTP/1.0), and an absolute-form target must name the same
 * authority as its Host (RFC 9112 section 3.2), so that the worker's idea of the host is the one jcluster forwards.
 */
public final class MessageHead {

    /** Outcomes of {@link #scan}. */
    public static final int NEED_MORE = 0;
    public static final int COMPLETE = 1;
    public static final int FAILED = -1;

    // the headers the proxy looks at; all others are OTHER
    public static final byte OTHER = 0;
    public static final byte CONTENT_LENGTH = 1;
    public static final byte TRANSFER_ENCODING = 2;
    public static final byte CONNECTION = 3;
    public static final byte KEEP_ALIVE = 4;
    public static final byte PROXY_CONNECTION = 5;
    public static final byte TE = 6;
    public static final byte TRAILER = 7;
    public static final byte UPGRADE = 8;
    public static final byte HOST = 9;
    public static final byte COOKIE = 10;
    public static final byte SET_COOKIE = 11;
    public static final byte X_FORWARDED_FOR = 12;
    public static final byte X_FORWARDED_PROTO = 13;
    public static final byte X_FORWARDED_HOST = 14;
    public static final byte X_FORWARDED_PORT = 15;
    public static final byte FORWARDED = 16;
    public static final byte HTTP2_SETTINGS = 17;
    public static final byte EXPECT = 18;

    private static final byte[][] NAMES = new byte[19][];
    private static final boolean[] TOKEN = new boolean[256];
    private static final boolean[] HOST_CHAR = new boolean[256];

    static {
        String[] names = {null, "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
                "te", "trailer", "upgrade", "host", "cookie", "set-cookie", "x-forwarded-for", "x-forwarded-proto",
                "x-forwarded-host", "x-forwarded-port", "forwarded", "http2-settings", "expect"};
        for (int i = 1; i < names.length; i++) {
            NAMES[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        // uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section 3.2.2): reg-name, IP-literal, IPv4, port
        for (char c = '0'; c <= '9'; c++) {
            HOST_CHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            HOST_CHAR[c] = true;
            HOST_CHAR[c - 32] = true;
        }
        for (char c : "-._~!$&'()*+,;=%:[]".toCharArray()) {
            HOST_CHAR[c] = true;
        }
    }

    /** Whether {@code b} may appear in a token (RFC 9110 section 5.6.2): header names, methods, chunk extensions. */
    public static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    /** Kinds that a Connection header cannot make hop-by-hop, see {@link #dropNamedByConnection}. */
    private static final boolean[] PROTECTED = new boolean[NAMES.length];

    static {
        PROTECTED[CONTENT_LENGTH] = true;
        PROTECTED[TRANSFER_ENCODING] = true;
        PROTECTED[HOST] = true;
        PROTECTED[UPGRADE] = true;
        PROTECTED[HTTP2_SETTINGS] = true;
    }

    private static final int FIELDS = 5; // per header line: start, name end, value start, value end, next line
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final boolean request;
    private final int maxStartLine;
    private final int maxHeaders;

    /** The head's bytes, copied line by line as they are scanned: parsing works on an array, not a buffer. */
    private byte[] bytes = new byte[512];
    /** Relative index of the first byte not scanned into a line yet. */
    private int next;
    private int start;
    private boolean startLineDone;
    private int startLineEnd;
    private int headersStart;

    // request line
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private int versionStart;
    private boolean headMethod;
    private boolean idempotent;
    // status line
    /** Set by {@link #nextListElement}: the element it found. */
    private int elementStart;
    private int elementEnd;
    private int status;
    private int version;

    private int count;
    private int[] lines = new int[16 * FIELDS];
    private byte[] kinds = new byte[16];
    private boolean[] dropped = new boolean[16];
    private boolean bareLf;

    private long contentLength;
    private int transferEncodings;
    private boolean chunked;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean connectionUpgrade;
    private boolean connectionNamesOthers;
    private boolean upgradeHeader;
    private boolean upgradeH2c;
    private int hosts;
    /** The authority of an absolute-form request target, or -1 (origin-form and the others). */
    private int authorityStart;
    private int authorityEnd;

    private int length;
    private int errorStatus;
    private String error;

    /**
     * @param maxStartLine longest request/status line (without its CRLF); longer is 414 for a request
     * @param maxHeaders   largest header section; larger is 431 for a request
     */
    public MessageHead(boolean request, int maxStartLine, int maxHeaders) {
        this.request = request;
        this.maxStartLine = maxStartLine;
        this.maxHeaders = maxHeaders;
        reset();
    }

    /** Forgets the last head: the next {@link #scan} starts a new one at the buffer's reader index. */
    public void reset() {
        for (int i = 0; i < count; i++) {
            dropped[i] = false;
        }
        next = 0;
        start = 0;
        startLineDone = false;
        count = 0;
        bareLf = false;
        contentLength = -1;
        transferEncodings = 0;
        chunked = false;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        connectionNamesOthers = false;
        upgradeHeader = false;
        upgradeH2c = false;
        hosts = 0;
        authorityStart = -1;
        authorityEnd = -1;
        headMethod = false;
        idempotent = false;
        status = 0;
        version = 0;
        length = 0;
        errorStatus = 0;
        error = null;
    }

    /**
     * Scans the head that starts at {@code in}'s reader index, resuming after the lines already scanned.
     *
     * @return {@link #COMPLETE} (then {@link #length()} bytes from the reader index are the head),
     * {@link #NEED_MORE}, or {@link #FAILED} ({@link #errorStatus()} and {@link #error()} say why)
     */
    public int scan(ByteBuf in) {
        int base = in.readerIndex();
        int limit = in.writerIndex() - base;
        while (next < limit) {
            int lf = in.indexOf(base + next, base + limit, LF);
            if (lf < 0) {
                return tooLongSoFar(limit);
            }
            int lineStart = next;
            int lineNext = lf - base + 1;
            if (lineNext > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(lineNext, bytes.length * 2));
            }
            in.getBytes(base + lineStart, bytes, lineStart, lineNext - lineStart);
            int contentEnd = lf - base;
            if (contentEnd > lineStart && byteAt(contentEnd - 1) == CR) {
                contentEnd--;
            } else {
                bareLf = true;
            }
            next = lineNext;
            if (!startLineDone) {
                if (contentEnd > lineStart && indexOf(lineStart, contentEnd, CR) >= 0) {
                    return fail(400, "a bare CR in the start line");
                }
                if (contentEnd == lineStart) {
                    if (!request || next > maxStartLine) {
                        return fail(400, "empty lines instead of a " + (request ? "request" : "status") + " line");
                    }
                    start = next; // RFC 9112 section 2.2: empty lines before a request line are ignored
                    continue;
                }
                if (contentEnd - lineStart > maxStartLine) {
                    return startLineTooLong();
                }
                int outcome = request ? requestLine(lineStart, contentEnd) : statusLine(lineStart, contentEnd);
                if (outcome != COMPLETE) {
                    return outcome;
                }
                startLineEnd = contentEnd;
                startLineDone = true;
                headersStart = next;
                continue;
            }
            if (next - headersStart > maxHeaders) {
                return headersTooLarge();
            }
            if (contentEnd == lineStart) {
                length = next;
                return finish();
            }
            int outcome = headerLine(lineStart, contentEnd, lineNext);
            if (outcome != COMPLETE) {
                return outcome;
            }
        }
        return tooLongSoFar(limit);
    }

    /** A line still open: is it already over its limit? */
    private int tooLongSoFar(int limit) {
        if (!startLineDone) {
            if (limit - start > maxStartLine + 1) {
                return startLineTooLong();
            }
        } else if (limit - headersStart > maxHeaders) {
            return headersTooLarge();
        }
        return NEED_MORE;
    }

    private int startLineTooLong() {
        return request ? fail(414, "the request line is longer than " + maxStartLine + " bytes")
                : fail(502, "a status line longer than " + maxStartLine + " bytes");
    }

    private int headersTooLarge() {
        return request ? fail(431, "the request headers are larger than " + maxHeaders + " bytes")
                : fail(502, "response headers larger than " + maxHeaders + " bytes");
    }

    private int requestLine(int s, int e) {
        int sp1 = indexOf(s, e, (byte) ' ');
        if (sp1 <= s) {
            return fail(400, "a request line that is not METHOD TARGET VERSION");
        }
        for (int i = s; i < sp1; i++) {
            if (!TOKEN[byteAt(i) & 0xff]) {
                return fail(400, "an invalid method");
            }
        }
        int sp2 = e - 1;
        while (sp2 > sp1 && byteAt(sp2) != ' ') {
            sp2--;
        }
        if (sp2 <= sp1 + 1) {
            return fail(400, "a request line that is not METHOD TARGET VERSION");
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            byte b = bytes[i];
            if ((b & 0xff) <= 0x20 || b == 0x7f) {
                return fail(400, "whitespace or a control character in the request target");
            }
        }
        version = httpVersion(sp2 + 1, e);
        if (version == 0) {
            return fail(400, "an unsupported HTTP version (HTTP/1.1 and HTTP/1.0 are served)");
        }
        int outcome = targetForm(s, sp1, sp1 + 1, sp2);
        if (outcome != COMPLETE) {
            return outcome;
        }
        methodEnd = sp1;
        targetStart = sp1 + 1;
        targetEnd = sp2;
        versionStart = sp2 + 1;
        int m = sp1 - s;
        headMethod = m == 4 && is(s, "HEAD");
        idempotent = headMethod || m == 3 && (is(s, "GET") || is(s, "PUT")) || m == 7 && is(s, "OPTIONS")
                || m == 6 && is(s, "DELETE") || m == 5 && is(s, "TRACE");
        return COMPLETE;
    }

    /**
     * RFC 9112 section 3.2: origin-form ({@code /path?query}), absolute-form ({@code http://authority/path}, whose
     * authority the Host must match, see {@link #finish}), asterisk-form ({@code *}, OPTIONS only) or
     * authority-form (CONNECT only, passed on for the worker to refuse). Anything else is 400.
     */
    private int targetForm(int methodStart, int methodEnd, int ts, int te) {
        byte first = bytes[ts];
        if (first == '/') {
            return COMPLETE;
        }
        if (methodEnd - methodStart == 7 && is(methodStart, "CONNECT")) {
            return COMPLETE;
        }
        if (te - ts == 1 && first == '*') {
            return methodEnd - methodStart == 7 && is(methodStart, "OPTIONS") ? COMPLETE
                    : fail(400, "the target * with a method other than OPTIONS");
        }
        int afterScheme = startsWithIgnoreCase(ts, te, "http://") ? ts + 7
                : startsWithIgnoreCase(ts, te, "https://") ? ts + 8 : -1;
        if (afterScheme < 0) {
            return fail(400, "a request target that is neither /path nor http(s)://authority/path");
        }
        int end = afterScheme;
        while (end < te && bytes[end] != '/' && bytes[end] != '?' && bytes[end] != '#') {
            if (bytes[end] == '@') {
                return fail(400, "user information in the request target");
            }
            end++;
        }
        if (end == afterScheme) {
            return fail(400, "an absolute request target without a host");
        }
        authorityStart = afterScheme;
        authorityEnd = end;
        return COMPLETE;
    }

    private int statusLine(int s, int e) {
        if (e - s < 12 || (version = httpVersion(s, s + 8)) == 0 || byteAt(s + 8) != ' '
                || (e > s + 12 && byteAt(s + 12) != ' ')) {
            return fail(502, "a malformed status line");
        }
        int code = 0;
        for (int i = s + 9; i < s + 12; i++) {
            int digit = byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return fail(502, "a malformed status line");
            }
            code = code * 10 + digit;
        }
        if (code < 100) {
            return fail(502, "a malformed status line");
        }
        status = code;
        return COMPLETE;
    }

    /** 11 for HTTP/1.1, 10 for HTTP/1.0, else 0. */
    private int httpVersion(int s, int e) {
        if (e - s != 8 || !is(s, "HTTP/1.")) {
            return 0;
        }
        byte minor = byteAt(s + 7);
        return minor == '1' ? 11 : minor == '0' ? 10 : 0;
    }

    private int headerLine(int s, int e, int lineNext) {
        byte first = byteAt(s);
        if (first == ' ' || first == '\t') {
            return fail(400, "a folded header line (obs-fold)");
        }
        // one pass over the line: the name must be a token up to the colon (no whitespace before it), the value
        // must hold no control character but HTAB (a bare CR or a NUL could end the line early for the worker)
        byte[] line = bytes;
        int i = s;
        byte b = 0;
        while (i < e && TOKEN[(b = line[i]) & 0xff]) {
            i++;
        }
        if (i == e || b != ':') {
            return fail(400, i == e ? "a header line without a colon" : "an invalid character in a header name");
        }
        if (i == s) {
            return fail(400, "a header line without a name");
        }
        int colon = i;
        int vs = -1;
        int ve = colon + 1;
        for (i++; i < e; i++) {
            b = line[i];
            if (b == ' ' || b == '\t') {
                continue;
            }
            if ((b & 0xff) < 0x20 || b == 0x7f) {
                return fail(400, "a control character in a header value");
            }
            if (vs < 0) {
                vs = i;
            }
            ve = i + 1;
        }
        if (vs < 0) {
            vs = ve = colon + 1;
        }
        if (count == kinds.length) {
            grow();
        }
        byte kind = classify(s, colon);
        int f = count * FIELDS;
        lines[f] = s;
        lines[f + 1] = colon;
        lines[f + 2] = vs;
        lines[f + 3] = ve;
        lines[f + 4] = lineNext;
        kinds[count] = kind;
        count++;
        switch (kind) {
            case CONTENT_LENGTH:
                return contentLength(vs, ve);
            case TRANSFER_ENCODING:
                transferEncodings++;
                chunked = lastTokenIs(vs, ve, "chunked"); // the last line's last coding decides
                if (request && !(ve - vs == 7 && chunked)) {
                    return fail(400, "a Transfer-Encoding other than chunked");
                }
                return COMPLETE;
            case CONNECTION:
                connectionTokens(vs, ve);
                return COMPLETE;
            case UPGRADE:
                upgradeHeader = true;
                upgradeH2c |= hasToken(vs, ve, "h2c");
                return COMPLETE;
            case HOST:
                return request ? host(vs, ve) : COMPLETE;
            default:
                return COMPLETE;
        }
    }

    private int contentLength(int vs, int ve) {
        if (contentLength >= 0) {
            return fail(request ? 400 : 502, "more than one Content-Length");
        }
        if (vs == ve || ve - vs > 18) {
            return fail(request ? 400 : 502, "an invalid Content-Length");
        }
        long value = 0;
        for (int i = vs; i < ve; i++) {
            int digit = byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return fail(request ? 400 : 502, "an invalid Content-Length");
            }
            value = value * 10 + digit;
        }
        contentLength = value;
        return COMPLETE;
    }

    /** RFC 9112 section 3.2: more than one Host, or one with an invalid value, is 400. */
    private int host(int vs, int ve) {
        if (++hosts > 1) {
            return fail(400, "more than one Host");
        }
        for (int i = vs; i < ve; i++) {
            if (!HOST_CHAR[bytes[i] & 0xff]) {
                return fail(400, "an invalid Host");
            }
        }
        return COMPLETE;
    }

    private void connectionTokens(int vs, int ve) {
        for (int i = vs; i < ve; ) {
            i = nextListElement(i, ve);
            int ts = elementStart;
            int te = elementEnd;
            if (te > ts) {
                if (equalsIgnoreCase(ts, te, "close")) {
                    connectionClose = true;
                } else if (equalsIgnoreCase(ts, te, "keep-alive")) {
                    connectionKeepAlive = true;
                } else if (equalsIgnoreCase(ts, te, "upgrade")) {
                    connectionUpgrade = true;
                } else {
                    connectionNamesOthers = true;
                }
            }
        }
    }

    /**
     * The element of the comma-separated list in [i, ve) that starts at {@code i}, without its surrounding
     * whitespace, goes to [{@link #elementStart}, {@link #elementEnd}) (empty for an empty element).
     *
     * @return where the next element starts
     */
    private int nextListElement(int i, int ve) {
        int comma = indexOf(i, ve, (byte) ',');
        int end = comma < 0 ? ve : comma;
        int ts = i;
        int te = end;
        while (ts < te && isSpace(byteAt(ts))) {
            ts++;
        }
        while (te > ts && isSpace(byteAt(te - 1))) {
            te--;
        }
        elementStart = ts;
        elementEnd = te;
        return end + 1;
    }

    private int finish() {
        if (transferEncodings > 0 && contentLength >= 0) {
            if (request) {
                return fail(400, "both Transfer-Encoding and Content-Length");
            }
            for (int i = 0; i < count; i++) {
                if (kinds[i] == CONTENT_LENGTH) {
                    dropped[i] = true; // RFC 9112 section 6.3: Transfer-Encoding overrides; never pass both on
                }
            }
            contentLength = -1;
        }
        if (request && transferEncodings > 1) {
            return fail(400, "more than one Transfer-Encoding");
        }
        if (request && transferEncodings > 0 && version == 10) {
            return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (request && hosts == 0 && version == 11) {
            return fail(400, "an HTTP/1.1 request without Host"); // RFC 9112 section 3.2
        }
        if (request && authorityStart >= 0 && hosts > 0) {
            int host = first(HOST);
            int vs = lines[host * FIELDS + 2];
            int ve = lines[host * FIELDS + 3];
            if (!equalsIgnoreCase(vs, ve, authorityStart, authorityEnd)) {
                // RFC 9112 section 3.2.2: a proxy would use the target's authority, a worker may use Host
                return fail(400, "a Host that differs from the authority of the absolute request target");
            }
        }
        return COMPLETE;
    }

    private int fail(int status, String what) {
        errorStatus = request ? status : 502;
        error = what;
        return FAILED;
    }

    private void grow() {
        int n = kinds.length * 2;
        lines = java.util.Arrays.copyOf(lines, n * FIELDS);
        kinds = java.util.Arrays.copyOf(kinds, n);
        dropped = java.util.Arrays.copyOf(dropped, n);
    }

    /** Which known header the name in [s, e) is, ignoring case. */
    private byte classify(int s, int e) {
        switch (e - s) {
            case 2:
                return match(s, TE);
            case 4:
                return match(s, HOST);
            case 6:
                return (byteAt(s) | 0x20) == 'e' ? match(s, EXPECT) : match(s, COOKIE);
            case 7: {
                byte first = (byte) (byteAt(s) | 0x20);
                return first == 'u' ? match(s, UPGRADE) : first == 't' ? match(s, TRAILER) : OTHER;
            }
            case 9:
                return match(s, FORWARDED);
            case 10: {
                byte first = (byte) (byteAt(s) | 0x20);
                return first == 'c' ? match(s, CONNECTION) : first == 'k' ? match(s, KEEP_ALIVE)
                        : first == 's' ? match(s, SET_COOKIE) : OTHER;
            }
            case 14: {
                byte first = (byte) (byteAt(s) | 0x20);
                return first == 'c' ? match(s, CONTENT_LENGTH) : first == 'h' ? match(s, HTTP2_SETTINGS) : OTHER;
            }
            case 15:
                return match(s, X_FORWARDED_FOR);
            case 16: {
                byte first = (byte) (byteAt(s) | 0x20);
                if (first == 'p') {
                    return match(s, PROXY_CONNECTION);
                }
                byte which = (byte) (byteAt(s + 12) | 0x20); // x-forwarded-[h]ost, x-forwarded-[p]ort
                return first != 'x' ? OTHER : which == 'h' ? match(s, X_FORWARDED_HOST) : match(s, X_FORWARDED_PORT);
            }
            case 17: {
                byte first = (byte) (byteAt(s) | 0x20);
                return first == 't' ? match(s, TRANSFER_ENCODING) : first == 'x' ? match(s, X_FORWARDED_PROTO) : OTHER;
            }
            default:
                return OTHER;
        }
    }

    private byte match(int s, byte kind) {
        byte[] name = NAMES[kind];
        for (int i = 0; i < name.length; i++) {
            if ((byteAt(s + i) | 0x20) != name[i]) { // token characters: | 0x20 lower-cases letters, keeps '-'
                return OTHER;
            }
        }
        return kind;
    }

    // ---- results; indexes are relative to the head's first byte, into {@link #bytes()} ----

    /** The head's bytes (index 0 = its first byte, possibly an empty line before the start line). */
    public byte[] bytes() {
        return bytes;
    }

    /** Bytes of the whole head from the reader index, including empty lines before it and its final empty line. */
    public int length() {
        return length;
    }

    public int errorStatus() {
        return errorStatus;
    }

    public String error() {
        return error;
    }

    public int startLineStart() {
        return start;
    }

    /** End of the start line, before its CRLF. */
    public int startLineEnd() {
        return startLineEnd;
    }

    public int versionStart() {
        return versionStart;
    }

    /** 11 or 10. */
    public int version() {
        return version;
    }

    public boolean isHeadMethod() {
        return headMethod;
    }

    /** GET, HEAD, OPTIONS, PUT, DELETE, TRACE: safe to send again when a connection failed before any answer. */
    public boolean idempotent() {
        return idempotent;
    }

    public String method() {
        return new String(bytes, start, methodEnd - start, StandardCharsets.US_ASCII);
    }

    public String target() {
        return new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.US_ASCII);
    }

    public int status() {
        return status;
    }

    /** -1 when absent (or overridden by Transfer-Encoding in a response). */
    public long contentLength() {
        return contentLength;
    }

    public boolean hasTransferEncoding() {
        return transferEncodings > 0;
    }

    /** The (last) Transfer-Encoding ends with chunked. */
    public boolean chunked() {
        return chunked;
    }

    /** HTTP/1.1 unless Connection: close; HTTP/1.0 only with Connection: keep-alive. */
    public boolean keepAlive() {
        return version == 11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /**
     * Asks to switch protocols: an Upgrade header and Connection: upgrade, in HTTP/1.1 (RFC 9110 section 7.8: an
     * Upgrade in an HTTP/1.0 request is ignored).
     */
    public boolean upgrade() {
        return upgradeHeader && connectionUpgrade && version == 11;
    }

    /** {@link #expectation()}: no Expect header, or only empty ones. */
    public static final int EXPECT_NOTHING = 0;
    /** {@link #expectation()}: Expect: 100-continue, and nothing else. */
    public static final int EXPECT_CONTINUE = 1;
    /** {@link #expectation()}: an expectation other than 100-continue (RFC 9110 section 10.1.1). */
    public static final int EXPECT_OTHER = 2;

    /** What the request's Expect lines ask for: one of the EXPECT_ constants. */
    public int expectation() {
        int found = EXPECT_NOTHING;
        for (int i = 0; i < count; i++) {
            if (kinds[i] != EXPECT) {
                continue;
            }
            int s = valueStart(i);
            int e = valueEnd(i);
            if (s == e) {
                continue;
            }
            if (e - s != CONTINUE_100.length) {
                return EXPECT_OTHER;
            }
            for (int j = 0; j < CONTINUE_100.length; j++) {
                if ((bytes[s + j] | 0x20) != CONTINUE_100[j]) {
                    return EXPECT_OTHER;
                }
            }
            found = EXPECT_CONTINUE;
        }
        return found;
    }

    private static final byte[] CONTINUE_100 = "100-continue".getBytes(StandardCharsets.US_ASCII);

    /** Upgrade names h2c (RFC 7540 section 3.2): HTTP/2 over this connection, past per-request balancing. */
    public boolean upgradeToH2c() {
        return upgradeH2c;
    }

    /** Connection names headers other than close, keep-alive and upgrade (they are hop-by-hop too). */
    public boolean connectionNamesOthers() {
        return connectionNamesOthers;
    }

    /** The head uses bare LF line ends somewhere (passed on, lines are rewritten with CRLF). */
    public boolean bareLf() {
        return bareLf;
    }

    public int count() {
        return count;
    }

    public byte kind(int line) {
        return kinds[line];
    }

    public int lineStart(int line) {
        return lines[line * FIELDS];
    }

    public int nameEnd(int line) {
        return lines[line * FIELDS + 1];
    }

    public int valueStart(int line) {
        return lines[line * FIELDS + 2];
    }

    public int valueEnd(int line) {
        return lines[line * FIELDS + 3];
    }

    /** The start of the next line (after this one's line end). */
    public int lineNext(int line) {
        return lines[line * FIELDS + 4];
    }

    public String value(int line) {
        int vs = lines[line * FIELDS + 2];
        return new String(bytes, vs, lines[line * FIELDS + 3] - vs, StandardCharsets.ISO_8859_1);
    }

    /** The first line of {@code kind}, or -1. */
    public int first(byte kind) {
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) {
                return i;
            }
        }
        return -1;
    }

    public void drop(int line) {
        dropped[line] = true;
    }

    public boolean dropped(int line) {
        return dropped[line];
    }

    /**
     * Drops the headers that Connection lines name (RFC 9110 section 7.6.1), but never the ones the message's framing
     * and routing rest on: Content-Length, Transfer-Encoding and Host go on exactly as jcluster read them (else a
     * worker would frame the body differently: RFC 9112 section 6.3, request smuggling), and Upgrade and
     * HTTP2-Settings are the caller's decision.
     */
    public void dropNamedByConnection() {
        for (int c = 0; c < count; c++) {
            if (kinds[c] != CONNECTION) {
                continue;
            }
            int end = lines[c * FIELDS + 3];
            int i = lines[c * FIELDS + 2];
            while (i < end) {
                int comma = indexOf(i, end, (byte) ',');
                int tokenEnd = comma < 0 ? end : comma;
                int ts = i;
                int te = tokenEnd;
                while (ts < te && isSpace(bytes[ts])) {
                    ts++;
                }
                while (te > ts && isSpace(bytes[te - 1])) {
                    te--;
                }
                for (int line = 0; line < count && te > ts; line++) {
                    if (!PROTECTED[kinds[line]] && nameEquals(line, ts, te)) {
                        dropped[line] = true;
                    }
                }
                i = tokenEnd + 1;
            }
        }
    }

    /** Whether the name of {@code line} equals the bytes [s, e), ignoring case. */
    private boolean nameEquals(int line, int s, int e) {
        int ns = lines[line * FIELDS];
        int ne = lines[line * FIELDS + 1];
        if (ne - ns != e - s) {
            return false;
        }
        for (int i = 0; i < e - s; i++) {
            if ((bytes[ns + i] | 0x20) != (bytes[s + i] | 0x20)) {
                return false;
            }
        }
        return true;
    }

    // ---- bytes, relative ----

    private byte byteAt(int relative) {
        return bytes[relative];
    }

    private int indexOf(int s, int e, byte value) {
        for (int i = s; i < e; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private boolean is(int s, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (byteAt(s + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsIgnoreCase(int s, int e, String lower) {
        if (e - s != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((byteAt(s + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWithIgnoreCase(int s, int e, String lower) {
        return e - s >= lower.length() && equalsIgnoreCase(s, s + lower.length(), lower);
    }

    private boolean equalsIgnoreCase(int s, int e, int s2, int e2) {
        if (e - s != e2 - s2) {
            return false;
        }
        for (int i = 0; i < e - s; i++) {
            byte a = bytes[s + i];
            byte b = bytes[s2 + i];
            if (a != b && ((a | 0x20) != (b | 0x20) || (a | 0x20) < 'a' || (a | 0x20) > 'z')) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list in [vs, ve) has the token {@code lower}, ignoring case. */
    private boolean hasToken(int vs, int ve, String lower) {
        for (int i = vs; i < ve; ) {
            i = nextListElement(i, ve);
            if (equalsIgnoreCase(elementStart, elementEnd, lower)) {
                return true;
            }
        }
        return false;
    }

    private boolean lastTokenIs(int vs, int ve, String lower) {
        int s = vs;
        for (int i = ve - 1; i >= vs; i--) {
            if (byteAt(i) == ',') {
                s = i + 1;
                break;
            }
        }
        while (s < ve && isSpace(byteAt(s))) {
            s++;
        }
        return equalsIgnoreCase(s, ve, lower);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }
}
