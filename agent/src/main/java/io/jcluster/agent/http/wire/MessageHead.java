package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.x message (request line or status line, then header lines), scanned in place in the
 * bytes that carry it: nothing is decoded into objects. The proxy needs only the framing headers and a few others
 * (the kinds below); every header line is recorded by its offsets so that the head can be passed on as raw bytes
 * minus the lines a proxy must drop ({@link #drop}, {@link HopByHopHeaders}, {@link HeadWriter}).
 *
 * <p>{@link #scan} fills it ({@link HeadScanner} finds the lines, {@link StartLine} and {@link HeaderRules} read
 * them); a head that breaks a rule is not read further and says which rule ({@link #violation()}). One instance
 * serves every head of a connection in turn ({@link #reset}); the arrays it scans into are lent per event loop
 * ({@link HeadArrays}) only while a head is held, so per head nothing is allocated and between heads nothing is kept.
 */
public final class MessageHead {

    /** Outcomes of {@link #scan}. */
    public static final int NEED_MORE = 0;
    public static final int COMPLETE = 1;
    public static final int FAILED = -1;

    // the headers the proxy looks at (see HeaderNames); all others are OTHER
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

    /** {@link #expectation()}: no Expect header, or only empty ones. */
    public static final int EXPECT_NOTHING = 0;
    /** {@link #expectation()}: Expect: 100-continue, and nothing else. */
    public static final int EXPECT_CONTINUE = 1;
    /** {@link #expectation()}: an expectation other than 100-continue (RFC 9110 section 10.1.1). */
    public static final int EXPECT_OTHER = 2;

    private static final String CONTINUE_100 = "100-continue";

    // written by HeadScanner, StartLine and HeaderRules; read through the methods below
    final boolean request;
    final HeaderLines lines = new HeaderLines();
    final CommaList list = new CommaList();
    private final HeadScanner scanner;
    private final int maxStartLine;
    private final int maxHeaders;

    int start;
    int startLineEnd;
    int length;
    boolean bareLf;
    HeadViolation violation;
    // request line
    int methodEnd;
    int targetStart;
    int targetEnd;
    int versionStart;
    boolean headMethod;
    boolean idempotent;
    /** The authority of an absolute-form request target, or -1 (origin-form and the others). */
    int authorityStart;
    int authorityEnd;
    // status line
    int status;
    int version;
    // headers
    long contentLength;
    int transferEncodings;
    boolean chunked;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    boolean connectionNamesOthers;
    boolean upgradeHeader;
    boolean upgradeH2c;
    int hosts;

    /**
     * @param maxStartLine longest request/status line (without its CRLF); longer is {@link HeadViolation#START_LINE_TOO_LONG}
     * @param maxHeaders   largest header section; larger is {@link HeadViolation#HEADERS_TOO_LARGE}
     */
    public MessageHead(boolean request, int maxStartLine, int maxHeaders) {
        this.request = request;
        this.maxStartLine = maxStartLine;
        this.maxHeaders = maxHeaders;
        this.scanner = new HeadScanner(this, maxStartLine, maxHeaders);
        reset();
    }

    /** Forgets the last head: the next {@link #scan} starts a new one at the buffer's reader index. */
    public void reset() {
        scanner.reset();
        lines.reset();
        start = 0;
        startLineEnd = 0;
        length = 0;
        bareLf = false;
        violation = null;
        headMethod = false;
        idempotent = false;
        authorityStart = -1;
        authorityEnd = -1;
        status = 0;
        version = 0;
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
    }

    /**
     * Scans the head that starts at {@code in}'s reader index, resuming after the lines already scanned.
     *
     * @return {@link #COMPLETE} (then {@link #length()} bytes from the reader index are the head),
     * {@link #NEED_MORE}, or {@link #FAILED} ({@link #violation()} and {@link #error()} say why)
     */
    public int scan(ByteBuf in) {
        return scanner.scan(in);
    }

    // ---- a head written from fields rather than scanned from bytes (an HTTP/2 request's: h2.RequestHead) ----
    // Its lines are written into the same bytes a scan copies into, and each is read by the same rules (StartLine,
    // HeaderRules, the limits) when it ends: a field that would not read back as the one line written (a CR, LF or
    // NUL in it, a name that is not one token) breaks the rule it would break in an HTTP/1.1 head.

    /** Appends to the line being written, after {@link #reset}; a char over 0xff is written as DEL (refused). */
    public void append(CharSequence text) {
        scanner.append(text);
    }

    public void append(byte[] ascii) {
        scanner.append(ascii);
    }

    /**
     * Ends the request line written.
     *
     * @return {@link #NEED_MORE} (header lines follow) or {@link #FAILED}
     */
    public int endStartLine() {
        return scanner.endStartLine();
    }

    /**
     * Ends the header line written ({@code name: value}); {@code nameLength}: the name's length, which must be what
     * the line reads as its name.
     *
     * @return {@link #NEED_MORE} (more lines may follow) or {@link #FAILED}
     */
    public int endHeaderLine(int nameLength) {
        return scanner.endHeaderLine(nameLength);
    }

    /** Ends the head written: {@link #COMPLETE} or {@link #FAILED}, as {@link #scan} would have. */
    public int endHead() {
        return scanner.endHead();
    }

    int fail(HeadViolation broken) {
        violation = broken;
        return FAILED;
    }

    /** The rule the head breaks, after {@link #scan} returned {@link #FAILED}; else null. */
    public HeadViolation violation() {
        return violation;
    }

    /** What is wrong with the head, in words, after {@link #scan} returned {@link #FAILED}; else null. */
    public String error() {
        if (violation == null) {
            return null;
        }
        return violation.describe(request, violation == HeadViolation.HEADERS_TOO_LARGE ? maxHeaders : maxStartLine);
    }

    // ---- the head; indexes are relative to its first byte, into bytes() ----

    /**
     * The head's bytes (index 0 = its first byte, possibly an empty line before the start line); another head's once
     * this one is {@link #reset}, so not to be kept.
     */
    public byte[] bytes() {
        return lines.bytes;
    }

    /** Bytes of the whole head from the reader index, including empty lines before it and its final empty line. */
    public int length() {
        return length;
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
        return new String(lines.bytes, start, methodEnd - start, StandardCharsets.US_ASCII);
    }

    public String target() {
        return new String(lines.bytes, targetStart, targetEnd - targetStart, StandardCharsets.US_ASCII);
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

    /** Upgrade names h2c (RFC 7540 section 3.2): HTTP/2 over this connection, past per-request balancing. */
    public boolean upgradeToH2c() {
        return upgradeH2c;
    }

    /** Connection names headers other than close, keep-alive and upgrade (they are hop-by-hop too). */
    public boolean connectionNamesOthers() {
        return connectionNamesOthers;
    }

    /** What the request's Expect lines ask for: one of the EXPECT_ constants. */
    public int expectation() {
        int found = EXPECT_NOTHING;
        HeaderLines lines = this.lines;
        for (int i = 0; i < lines.count(); i++) {
            if (lines.kind(i) != EXPECT) {
                continue;
            }
            int s = lines.valueStart(i);
            int e = lines.valueEnd(i);
            if (s == e) {
                continue;
            }
            if (!CommaList.equalsIgnoreCase(lines.bytes, s, e, CONTINUE_100)) {
                return EXPECT_OTHER;
            }
            found = EXPECT_CONTINUE;
        }
        return found;
    }

    /** The head uses bare LF line ends somewhere (passed on, lines are rewritten with CRLF). */
    public boolean bareLf() {
        return bareLf;
    }

    // ---- header lines ----

    public int count() {
        return lines.count();
    }

    /** One of the kind constants. */
    public byte kind(int line) {
        return lines.kind(line);
    }

    public int lineStart(int line) {
        return lines.lineStart(line);
    }

    public int nameEnd(int line) {
        return lines.nameEnd(line);
    }

    public int valueStart(int line) {
        return lines.valueStart(line);
    }

    public int valueEnd(int line) {
        return lines.valueEnd(line);
    }

    /** The start of the next line (after this one's line end). */
    public int lineNext(int line) {
        return lines.lineNext(line);
    }

    public String value(int line) {
        return lines.value(line);
    }

    /** The first line of {@code kind}, or -1. */
    public int first(byte kind) {
        return lines.first(kind);
    }

    /** Leaves the line out when the head is written on ({@link HeadWriter}). */
    public void drop(int line) {
        lines.drop(line);
    }

    public boolean dropped(int line) {
        return lines.dropped(line);
    }
}
