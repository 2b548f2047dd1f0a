package io.jcluster.agent.http.wire;

/**
 * The rules of header lines (RFC 9112 section 5) and of the headers a message's framing and routing rest on:
 * Content-Length, Transfer-Encoding, Host, Connection, Upgrade (RFC 9112 sections 3.2 and 6). Each returns the
 * rule a head breaks, or null; what they read goes into the {@link MessageHead}.
 *
 * <p>A request must frame its body one way only: one Content-Length or one {@code Transfer-Encoding: chunked}, not
 * both, and carry exactly one valid Host (none is allowed in HTTP/1.0) that names the same authority as an
 * absolute-form target, so that the worker's idea of the message and its host is the one jcluster forwards. A
 * response is read as RFC 9112 section 6.3 says a recipient reads it.
 */
final class HeaderRules {

    /** uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section 3.2.2): reg-name, IP-literal, IPv4, port. */
    private static final boolean[] HOST_CHAR = new boolean[256];

    /** The control characters a field value may not hold: all but HTAB (RFC 9110 section 5.5). */
    private static final boolean[] CONTROL = new boolean[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            CONTROL[c] = c != '\t';
        }
        CONTROL[0x7f] = true;
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

    private HeaderRules() {
    }

    /** The header line in {@code b[s, e)} (without its line end; the next line starts at {@code next}). */
    static HeadViolation line(MessageHead head, byte[] b, int s, int e, int next) {
        byte first = b[s];
        if (first == ' ' || first == '\t') {
            return HeadViolation.OBS_FOLD;
        }
        // one pass over the line: the name must be a token up to the colon (no whitespace before it), the value
        // must hold no control character but HTAB (a bare CR or a NUL could end the line early for the worker)
        int i = s;
        byte c = 0;
        while (i < e && HeaderNames.isToken(c = b[i])) {
            i++;
        }
        if (i == e || c != ':') {
            return i == e ? HeadViolation.NO_COLON : HeadViolation.INVALID_NAME;
        }
        if (i == s) {
            return HeadViolation.EMPTY_NAME;
        }
        int colon = i;
        int vs = colon + 1;
        while (vs < e && (b[vs] == ' ' || b[vs] == '\t')) {
            vs++;
        }
        for (i = vs; i < e; i++) {
            if (CONTROL[b[i] & 0xff]) {
                return HeadViolation.CONTROL_IN_VALUE;
            }
        }
        int ve = e;
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        if (vs == e) {
            vs = ve = colon + 1; // an empty value: the line is written on as "Name:" (HeadWriter, bare LF heads)
        }
        byte kind = HeaderNames.classify(b, s, colon);
        head.lines.add(s, colon, vs, ve, next, kind);
        switch (kind) {
            case MessageHead.CONTENT_LENGTH:
                return contentLength(head, b, vs, ve);
            case MessageHead.TRANSFER_ENCODING:
                head.transferEncodings++;
                head.chunked = CommaList.lastIs(b, vs, ve, "chunked"); // the last line's last coding decides
                if (head.request && !(ve - vs == 7 && head.chunked)) {
                    return HeadViolation.UNSUPPORTED_TRANSFER_ENCODING;
                }
                return null;
            case MessageHead.CONNECTION:
                connectionOptions(head, head.list.over(b, vs, ve));
                return null;
            case MessageHead.UPGRADE:
                head.upgradeHeader = true;
                head.upgradeH2c |= head.list.over(b, vs, ve).contains("h2c");
                return null;
            case MessageHead.HOST:
                return head.request ? host(head, b, vs, ve) : null;
            default:
                return null;
        }
    }

    /** The rules that need the whole head; after the last header line. */
    static HeadViolation atEnd(MessageHead head) {
        boolean request = head.request;
        if (head.transferEncodings > 0 && head.contentLength >= 0) {
            if (request) {
                return HeadViolation.TRANSFER_ENCODING_AND_CONTENT_LENGTH;
            }
            HeaderLines lines = head.lines;
            for (int i = 0; i < lines.count(); i++) {
                if (lines.kind(i) == MessageHead.CONTENT_LENGTH) {
                    lines.drop(i); // RFC 9112 section 6.3: Transfer-Encoding overrides; never pass both on
                }
            }
            head.contentLength = -1;
        }
        if (!request) {
            return null;
        }
        if (head.transferEncodings > 1) {
            return HeadViolation.DUPLICATE_TRANSFER_ENCODING;
        }
        if (head.transferEncodings > 0 && head.version == 10) {
            return HeadViolation.TRANSFER_ENCODING_IN_HTTP_1_0;
        }
        if (head.hosts == 0 && head.version == 11) {
            return HeadViolation.NO_HOST;
        }
        if (head.authorityStart >= 0 && head.hosts > 0) {
            HeaderLines lines = head.lines;
            int host = lines.first(MessageHead.HOST);
            if (!sameAuthority(lines.bytes, lines.valueStart(host), lines.valueEnd(host), head.authorityStart,
                    head.authorityEnd)) {
                return HeadViolation.HOST_DIFFERS_FROM_TARGET; // a proxy would use the target's, a worker Host
            }
        }
        return null;
    }

    /**
     * Connection's options (RFC 9110 section 7.6.1): close, keep-alive and upgrade are read; any other names a
     * header that is hop-by-hop too (see {@link HopByHopHeaders}).
     */
    private static void connectionOptions(MessageHead head, CommaList options) {
        while (options.next()) {
            if (options.isEmpty()) {
                continue;
            }
            if (options.is("close")) {
                head.connectionClose = true;
            } else if (options.is("keep-alive")) {
                head.connectionKeepAlive = true;
            } else if (options.is("upgrade")) {
                head.connectionUpgrade = true;
            } else {
                head.connectionNamesOthers = true;
            }
        }
    }

    /** One Content-Length of at most 18 digits (no sign, no list: RFC 9112 section 6.3 items 5 and 6). */
    private static HeadViolation contentLength(MessageHead head, byte[] b, int vs, int ve) {
        if (head.contentLength >= 0) {
            return HeadViolation.DUPLICATE_CONTENT_LENGTH;
        }
        if (vs == ve || ve - vs > 18) {
            return HeadViolation.INVALID_CONTENT_LENGTH;
        }
        long value = 0;
        for (int i = vs; i < ve; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return HeadViolation.INVALID_CONTENT_LENGTH;
            }
            value = value * 10 + digit;
        }
        head.contentLength = value;
        return null;
    }

    /** RFC 9112 section 3.2: more than one Host, or one with an invalid value, is malformed. */
    private static HeadViolation host(MessageHead head, byte[] b, int vs, int ve) {
        if (++head.hosts > 1) {
            return HeadViolation.DUPLICATE_HOST;
        }
        for (int i = vs; i < ve; i++) {
            if (!HOST_CHAR[b[i] & 0xff]) {
                return HeadViolation.INVALID_HOST;
            }
        }
        return null;
    }

    /** The same bytes but for the case of letters. */
    private static boolean sameAuthority(byte[] bytes, int s, int e, int s2, int e2) {
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
}
