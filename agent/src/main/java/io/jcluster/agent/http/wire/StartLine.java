package io.jcluster.agent.http.wire;

/**
 * The rules of a request line (RFC 9112 section 3) and a status line (section 4), read from a head's bytes into
 * its {@link MessageHead}. Each returns the rule a line breaks, or null.
 */
final class StartLine {

    private StartLine() {
    }

    /**
     * {@code METHOD SP request-target SP HTTP-version} in {@code b[s, e)}, without its line end. Every byte is
     * checked, so a line that holds a bare CR (RFC 9112 section 2.2) is refused here; {@link HeadScanner} then names
     * the CR as the reason.
     */
    static HeadViolation request(MessageHead head, byte[] b, int s, int e) {
        int sp1 = indexOf(b, s, e, (byte) ' ');
        if (sp1 <= s) {
            return HeadViolation.MALFORMED_REQUEST_LINE;
        }
        for (int i = s; i < sp1; i++) {
            if (!HeaderNames.isToken(b[i])) {
                return HeadViolation.INVALID_METHOD;
            }
        }
        int sp2 = e - 1;
        while (sp2 > sp1 && b[sp2] != ' ') {
            sp2--;
        }
        if (sp2 <= sp1 + 1) {
            return HeadViolation.MALFORMED_REQUEST_LINE;
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            byte c = b[i];
            if ((c & 0xff) <= 0x20 || c == 0x7f) {
                return HeadViolation.INVALID_TARGET;
            }
        }
        head.version = httpVersion(b, sp2 + 1, e);
        if (head.version == 0) {
            return HeadViolation.UNSUPPORTED_VERSION;
        }
        HeadViolation form = targetForm(head, b, s, sp1, sp1 + 1, sp2);
        if (form != null) {
            return form;
        }
        head.methodEnd = sp1;
        head.targetStart = sp1 + 1;
        head.targetEnd = sp2;
        head.versionStart = sp2 + 1;
        int m = sp1 - s;
        boolean headMethod = m == 4 && is(b, s, "HEAD");
        head.headMethod = headMethod;
        head.idempotent = headMethod || m == 3 && (is(b, s, "GET") || is(b, s, "PUT")) || m == 7 && is(b, s, "OPTIONS")
                || m == 6 && is(b, s, "DELETE") || m == 5 && is(b, s, "TRACE");
        return null;
    }

    /**
     * RFC 9112 section 3.2: origin-form ({@code /path?query}), absolute-form ({@code http://authority/path}, whose
     * authority the Host must match, see {@link HeaderRules#atEnd}), asterisk-form ({@code *}, OPTIONS only) or
     * authority-form (CONNECT only, passed on for the worker to refuse). Anything else is malformed.
     */
    private static HeadViolation targetForm(MessageHead head, byte[] b, int methodStart, int methodEnd, int ts, int te) {
        byte first = b[ts];
        if (first == '/') {
            return null;
        }
        if (methodEnd - methodStart == 7 && is(b, methodStart, "CONNECT")) {
            return null;
        }
        if (te - ts == 1 && first == '*') {
            return methodEnd - methodStart == 7 && is(b, methodStart, "OPTIONS") ? null
                    : HeadViolation.ASTERISK_WITHOUT_OPTIONS;
        }
        int afterScheme = startsWithIgnoreCase(b, ts, te, "http://") ? ts + 7
                : startsWithIgnoreCase(b, ts, te, "https://") ? ts + 8 : -1;
        if (afterScheme < 0) {
            return HeadViolation.UNKNOWN_TARGET_FORM;
        }
        int end = afterScheme;
        while (end < te && b[end] != '/' && b[end] != '?' && b[end] != '#') {
            if (b[end] == '@') {
                return HeadViolation.USER_INFO_IN_TARGET;
            }
            end++;
        }
        if (end == afterScheme) {
            return HeadViolation.TARGET_WITHOUT_HOST;
        }
        head.authorityStart = afterScheme;
        head.authorityEnd = end;
        return null;
    }

    /** {@code HTTP-version SP 3DIGIT SP [reason-phrase]} in {@code b[s, e)}; a missing reason may go without its SP. */
    static HeadViolation status(MessageHead head, byte[] b, int s, int e) {
        if (e - s < 12 || (head.version = httpVersion(b, s, s + 8)) == 0 || b[s + 8] != ' '
                || (e > s + 12 && b[s + 12] != ' ')) {
            return HeadViolation.MALFORMED_STATUS_LINE;
        }
        int code = 0;
        for (int i = s + 9; i < s + 12; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return HeadViolation.MALFORMED_STATUS_LINE;
            }
            code = code * 10 + digit;
        }
        if (code < 100) {
            return HeadViolation.MALFORMED_STATUS_LINE;
        }
        if (indexOf(b, s + 13, e, (byte) '\r') >= 0) {
            return HeadViolation.BARE_CR; // RFC 9112 section 2.2; the bytes before the reason are checked above
        }
        head.status = code;
        return null;
    }

    /** 11 for HTTP/1.1, 10 for HTTP/1.0, else 0. */
    private static int httpVersion(byte[] b, int s, int e) {
        if (e - s != 8 || !is(b, s, "HTTP/1.")) {
            return 0;
        }
        byte minor = b[s + 7];
        return minor == '1' ? 11 : minor == '0' ? 10 : 0;
    }

    static int indexOf(byte[] b, int s, int e, byte value) {
        for (int i = s; i < e; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean is(byte[] b, int s, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (b[s + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int s, int e, String lower) {
        return e - s >= lower.length() && CommaList.equalsIgnoreCase(b, s, s + lower.length(), lower);
    }
}
