package io.jcluster.agent.http.wire;

/**
 * What makes a chunked body's framing broken (RFC 9112 section 7.1), as {@link ChunkedScanner} finds it. A request
 * with any of them is answered 400 and its connection closed; a worker's response with one is cut off. Besides the
 * RFC's grammar, the rules refuse what servers behind jcluster read differently (see {@link ChunkedScanner}).
 */
public enum ChunkViolation {

    SIZE_LINE_TOO_LONG("a chunk-size line longer than " + ChunkedScanner.MAX_SIZE_LINE + " bytes"),
    TOO_MANY_SIZE_DIGITS("a chunk size of more than " + ChunkedScanner.MAX_SIZE_DIGITS + " hex digits"),
    SIZE_TOO_LARGE("a chunk size above 2^31-1"),
    SIZE_NOT_HEX("a chunk size that is not hexadecimal"),
    SIZE_LINE_BARE_LF("a chunk-size line ended by a bare LF"),
    SIZE_FOLLOWED_BY_OTHER("a chunk size followed by something other than ';' or CRLF"),
    SIZE_LINE_BARE_CR("a chunk-size line with a bare CR"),
    /** RFC 9112 section 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ). */
    EXTENSION_WITHOUT_NAME("a chunk extension without a name"),
    EXTENSION_BARE_LF("a chunk extension ended by a bare LF"),
    /** BWS, which senders must not generate (RFC 9110 section 5.6.3) and some servers refuse. */
    EXTENSION_WHITESPACE("whitespace in a chunk extension"),
    MALFORMED_EXTENSION("a chunk extension that is not ;name[=value]"),
    DATA_BARE_LF("chunk data followed by a bare LF"),
    DATA_LONGER_THAN_SIZE("chunk data longer than its size"),
    DATA_BARE_CR("chunk data followed by a bare CR"),
    /** RFC 9112 section 7.1.2. */
    TRAILERS_TOO_LARGE("trailers larger than " + ChunkedScanner.MAX_TRAILERS + " bytes"),
    TRAILERS_BARE_LF("a trailer section with a bare LF"),
    TRAILER_WITHOUT_NAME("a trailer line that does not start with a field name"),
    TRAILER_INVALID_NAME("an invalid character in a trailer field name"),
    TRAILER_LINE_BARE_LF("a trailer line ended by a bare LF"),
    TRAILER_CONTROL_IN_VALUE("a control character in a trailer field value"),
    TRAILER_LINE_BARE_CR("a trailer line with a bare CR"),
    NO_FINAL_CRLF("a chunked body not ended by CRLF"),
    BYTES_AFTER_END("bytes after the end of a chunked body");

    private final String text;

    ChunkViolation(String text) {
        this.text = text;
    }

    /** What is wrong, in words, as jcluster says it to the client. */
    public String describe() {
        return text;
    }
}
