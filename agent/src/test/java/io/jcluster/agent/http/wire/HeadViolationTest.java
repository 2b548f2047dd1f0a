package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule a head can break, found by the scanner for the right head, answered with the status and the words
 * jcluster answered before the rules became values (the client sees "jcluster: malformed request (words)").
 */
class HeadViolationTest {

    private static final int MAX_LINE = 40;
    private static final int MAX_HEADERS = 200;

    /** A request that breaks the rule ('|' stands for CRLF), the status it is answered, the words. */
    static Object[][] requests() {
        return new Object[][]{
                {HeadViolation.BARE_CR, "GET / HTTP/1.1\rX|Host: a||", 400, "a bare CR in the start line"},
                {HeadViolation.LEADING_EMPTY_LINES, "|".repeat(21) + "GET / HTTP/1.1|Host: a||", 400,
                        "empty lines instead of a request line"},
                {HeadViolation.START_LINE_TOO_LONG, "GET /" + "a".repeat(50) + " HTTP/1.1|Host: a||", 414,
                        "the request line is longer than 40 bytes"},
                {HeadViolation.HEADERS_TOO_LARGE, "GET / HTTP/1.1|Host: a|X: " + "b".repeat(250) + "||", 431,
                        "the request headers are larger than 200 bytes"},
                {HeadViolation.MALFORMED_REQUEST_LINE, " GET / HTTP/1.1|Host: a||", 400,
                        "a request line that is not METHOD TARGET VERSION"},
                {HeadViolation.INVALID_METHOD, "G(T / HTTP/1.1|Host: a||", 400, "an invalid method"},
                {HeadViolation.INVALID_TARGET, "GET /a\tb HTTP/1.1|Host: a||", 400,
                        "whitespace or a control character in the request target"},
                {HeadViolation.UNSUPPORTED_VERSION, "GET / HTTP/2.0|Host: a||", 400,
                        "an unsupported HTTP version (HTTP/1.1 and HTTP/1.0 are served)"},
                {HeadViolation.ASTERISK_WITHOUT_OPTIONS, "GET * HTTP/1.1|Host: a||", 400,
                        "the target * with a method other than OPTIONS"},
                {HeadViolation.UNKNOWN_TARGET_FORM, "GET foo HTTP/1.1|Host: a||", 400,
                        "a request target that is neither /path nor http(s)://authority/path"},
                {HeadViolation.USER_INFO_IN_TARGET, "GET http://u@a/ HTTP/1.1|Host: a||", 400,
                        "user information in the request target"},
                {HeadViolation.TARGET_WITHOUT_HOST, "GET http:///x HTTP/1.1|Host: a||", 400,
                        "an absolute request target without a host"},
                {HeadViolation.OBS_FOLD, "GET / HTTP/1.1|Host: a| x: y||", 400, "a folded header line (obs-fold)"},
                {HeadViolation.NO_COLON, "GET / HTTP/1.1|Host: a|X||", 400, "a header line without a colon"},
                {HeadViolation.INVALID_NAME, "GET / HTTP/1.1|Host : a||", 400, "an invalid character in a header name"},
                {HeadViolation.EMPTY_NAME, "GET / HTTP/1.1|: a||", 400, "a header line without a name"},
                {HeadViolation.CONTROL_IN_VALUE, "GET / HTTP/1.1|Host: a|X: a\u0000b||", 400,
                        "a control character in a header value"},
                {HeadViolation.UNSUPPORTED_TRANSFER_ENCODING, "POST / HTTP/1.1|Host: a|Transfer-Encoding: gzip||", 400,
                        "a Transfer-Encoding other than chunked"},
                {HeadViolation.DUPLICATE_CONTENT_LENGTH, "POST / HTTP/1.1|Host: a|Content-Length: 1|Content-Length: 1||",
                        400, "more than one Content-Length"},
                {HeadViolation.INVALID_CONTENT_LENGTH, "POST / HTTP/1.1|Host: a|Content-Length: -1||", 400,
                        "an invalid Content-Length"},
                {HeadViolation.DUPLICATE_HOST, "GET / HTTP/1.1|Host: a|Host: a||", 400, "more than one Host"},
                {HeadViolation.INVALID_HOST, "GET / HTTP/1.1|Host: a b||", 400, "an invalid Host"},
                {HeadViolation.TRANSFER_ENCODING_AND_CONTENT_LENGTH,
                        "POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked|Content-Length: 1||", 400,
                        "both Transfer-Encoding and Content-Length"},
                {HeadViolation.DUPLICATE_TRANSFER_ENCODING,
                        "POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked|Transfer-Encoding: chunked||", 400,
                        "more than one Transfer-Encoding"},
                {HeadViolation.TRANSFER_ENCODING_IN_HTTP_1_0, "POST / HTTP/1.0|Transfer-Encoding: chunked||", 400,
                        "Transfer-Encoding in an HTTP/1.0 request"},
                {HeadViolation.NO_HOST, "GET / HTTP/1.1||", 400, "an HTTP/1.1 request without Host"},
                {HeadViolation.HOST_DIFFERS_FROM_TARGET, "GET http://a/ HTTP/1.1|Host: b||", 400,
                        "a Host that differs from the authority of the absolute request target"}};
    }

    /** A worker's response that breaks the rule, and the words (a response is answered 502 by the caller). */
    static Object[][] responses() {
        return new Object[][]{
                {HeadViolation.MALFORMED_STATUS_LINE, "HTTP/1.1 2000 OK||", "a malformed status line"},
                {HeadViolation.LEADING_EMPTY_LINES, "|HTTP/1.1 200 OK||", "empty lines instead of a status line"},
                {HeadViolation.START_LINE_TOO_LONG, "HTTP/1.1 200 " + "O".repeat(40) + "||",
                        "a status line longer than 40 bytes"},
                {HeadViolation.HEADERS_TOO_LARGE, "HTTP/1.1 200 OK|X: " + "b".repeat(250) + "||",
                        "response headers larger than 200 bytes"},
                {HeadViolation.DUPLICATE_CONTENT_LENGTH, "HTTP/1.1 200 OK|Content-Length: 1|Content-Length: 1||",
                        "more than one Content-Length"},
                {HeadViolation.OBS_FOLD, "HTTP/1.1 200 OK|X: a| b||", "a folded header line (obs-fold)"}};
    }

    @ParameterizedTest
    @MethodSource("requests")
    void aRequestBreakingTheRuleIsAnsweredAsBefore(HeadViolation rule, String request, int status, String words) {
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, request), request);
        assertEquals(rule, head.violation(), request);
        assertEquals(status, head.violation().defaultStatus(), rule.name());
        assertEquals(words, head.error(), rule.name());
        assertTrue(rule.rule().startsWith("RFC "), rule.name());
    }

    @ParameterizedTest
    @MethodSource("responses")
    void aResponseBreakingTheRuleIsDescribedAsBefore(HeadViolation rule, String response, String words) {
        MessageHead head = new MessageHead(false, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, response), response);
        assertEquals(rule, head.violation(), response);
        assertEquals(words, head.error(), rule.name());
    }

    @Test
    void everyRuleHasItsAnswer() {
        Set<HeadViolation> covered = EnumSet.noneOf(HeadViolation.class);
        for (Object[] row : requests()) {
            covered.add((HeadViolation) row[0]);
        }
        for (Object[] row : responses()) {
            covered.add((HeadViolation) row[0]);
        }
        assertEquals(EnumSet.allOf(HeadViolation.class), covered, "a new rule needs its status and words here");
    }

    @Test
    void aHeadThatBreaksNoRuleHasNoViolation() {
        MessageHead head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.COMPLETE, scan(head, "GET / HTTP/1.1|Host: a||"));
        assertEquals(null, head.violation());
        assertEquals(null, head.error());
        head = new MessageHead(true, MAX_LINE, MAX_HEADERS);
        assertEquals(MessageHead.FAILED, scan(head, "GET / HTTP/1.1||"));
        head.reset();
        assertEquals(null, head.violation(), "reset forgets the last head's violation");
    }

    private static int scan(MessageHead head, String text) {
        ByteBuf in = Unpooled.copiedBuffer(text.replace("|", "\r\n"), StandardCharsets.ISO_8859_1);
        try {
            return head.scan(in);
        } finally {
            in.release();
        }
    }
}
