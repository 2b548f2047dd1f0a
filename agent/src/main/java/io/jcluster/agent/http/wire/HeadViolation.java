package io.jcluster.agent.http.wire;

/**
 * What makes a message head malformed, and the rule it breaks. The scanner only finds it; what to answer is the
 * caller's choice: {@link #defaultStatus()} is what a client whose request breaks the rule gets, and a worker's
 * response that breaks one is answered 502 (RFC 9110 section 15.6.3) whichever it is.
 *
 * <p>Strict where leniency lets a request mean one thing to jcluster and another to the worker (request smuggling):
 * each rule below that a lenient server relaxes is one such disagreement.
 */
public enum HeadViolation {

    BARE_CR("a bare CR in the start line", "RFC 9112 section 2.2"),
    /** Empty lines before a request line beyond the start line's length, or any before a status line. */
    LEADING_EMPTY_LINES("empty lines instead of a request line", "empty lines instead of a status line",
            "RFC 9112 section 2.2", 400),
    /** Longer than the limit, which {@link #describe} names. */
    START_LINE_TOO_LONG("the request line is longer than # bytes", "a status line longer than # bytes",
            "RFC 9112 section 3", 414),
    /** Larger than the limit, which {@link #describe} names. */
    HEADERS_TOO_LARGE("the request headers are larger than # bytes", "response headers larger than # bytes",
            "RFC 6585 section 5", 431),
    MALFORMED_REQUEST_LINE("a request line that is not METHOD TARGET VERSION", "RFC 9112 section 3"),
    INVALID_METHOD("an invalid method", "RFC 9112 section 3.1"),
    INVALID_TARGET("whitespace or a control character in the request target", "RFC 9112 section 3.2"),
    UNSUPPORTED_VERSION("an unsupported HTTP version (HTTP/1.1 and HTTP/1.0 are served)", "RFC 9112 section 2.3"),
    ASTERISK_WITHOUT_OPTIONS("the target * with a method other than OPTIONS", "RFC 9112 section 3.2.4"),
    UNKNOWN_TARGET_FORM("a request target that is neither /path nor http(s)://authority/path", "RFC 9112 section 3.2"),
    USER_INFO_IN_TARGET("user information in the request target", "RFC 9110 section 4.2.4"),
    TARGET_WITHOUT_HOST("an absolute request target without a host", "RFC 9110 section 4.2.1"),
    MALFORMED_STATUS_LINE("a malformed status line", "RFC 9112 section 4"),
    OBS_FOLD("a folded header line (obs-fold)", "RFC 9112 section 5.2"),
    NO_COLON("a header line without a colon", "RFC 9112 section 5"),
    /** Whitespace before the colon included. */
    INVALID_NAME("an invalid character in a header name", "RFC 9112 section 5.1"),
    EMPTY_NAME("a header line without a name", "RFC 9112 section 5"),
    /** A bare CR or a NUL could end the line early for the worker. */
    CONTROL_IN_VALUE("a control character in a header value", "RFC 9110 section 5.5"),
    UNSUPPORTED_TRANSFER_ENCODING("a Transfer-Encoding other than chunked", "RFC 9112 section 6.1"),
    DUPLICATE_CONTENT_LENGTH("more than one Content-Length", "RFC 9112 section 6.3"),
    INVALID_CONTENT_LENGTH("an invalid Content-Length", "RFC 9112 section 6.3"),
    DUPLICATE_HOST("more than one Host", "RFC 9112 section 3.2"),
    INVALID_HOST("an invalid Host", "RFC 9112 section 3.2"),
    TRANSFER_ENCODING_AND_CONTENT_LENGTH("both Transfer-Encoding and Content-Length", "RFC 9112 section 6.3"),
    DUPLICATE_TRANSFER_ENCODING("more than one Transfer-Encoding", "RFC 9112 section 6.3"),
    TRANSFER_ENCODING_IN_HTTP_1_0("Transfer-Encoding in an HTTP/1.0 request", "RFC 9112 section 6.1"),
    NO_HOST("an HTTP/1.1 request without Host", "RFC 9112 section 3.2"),
    /** A proxy would use the target's authority, a worker may use Host. */
    HOST_DIFFERS_FROM_TARGET("a Host that differs from the authority of the absolute request target",
            "RFC 9112 section 3.2.2");

    private final String requestText;
    private final String responseText;
    private final String rule;
    private final int defaultStatus;

    HeadViolation(String text, String rule) {
        this(text, text, rule, 400);
    }

    HeadViolation(String requestText, String responseText, String rule, int defaultStatus) {
        this.requestText = requestText;
        this.responseText = responseText;
        this.rule = rule;
        this.defaultStatus = defaultStatus;
    }

    /** The status jcluster answers a request that breaks this rule: 400, or 414/431 for the two limits. */
    public int defaultStatus() {
        return defaultStatus;
    }

    /** The RFC section the rule comes from, e.g. "RFC 9112 section 6.3". */
    public String rule() {
        return rule;
    }

    /**
     * What is wrong, in words, as jcluster says it to the client (allocates only for the two limits).
     *
     * @param limit the limit that was passed, for {@link #START_LINE_TOO_LONG} and {@link #HEADERS_TOO_LARGE}
     */
    public String describe(boolean request, int limit) {
        String text = request ? requestText : responseText;
        int at = text.indexOf('#');
        return at < 0 ? text : text.substring(0, at) + limit + text.substring(at + 1);
    }
}
