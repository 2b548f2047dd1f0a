package io.jcluster.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits what a client read on one connection into responses, leniently (it only has to understand jcluster, the
 * five stacks and the oracle). A response is the app's (its body is a record line), jcluster's own (its body
 * starts {@code jcluster: }) or another: the server stack's own error page.
 */
final class RawResponses {

    /** APP: a record; EMPTY: 200 without a body (the app's answer to HEAD, or the stack's own, e.g. OPTIONS *). */
    enum Kind { APP, EMPTY, JCLUSTER, OTHER }

    /** One response; {@code record} is the app's record line (null unless APP). */
    record Response(int status, Kind kind, String record, String text) {
        @Override
        public String toString() {
            return status + " " + (kind == Kind.APP ? record : kind == Kind.EMPTY ? "(no body)" : kind + " "
                    + text.lines().reduce((a, b) -> b).orElse("").strip());
        }
    }

    /** The responses, and whether bytes were left over that are no response. */
    record Parsed(List<Response> responses, String garbage) {
    }

    private RawResponses() {
    }

    static Parsed parse(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Response> responses = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            if (!s.startsWith("HTTP/1.", i) || s.length() < i + 12) {
                return new Parsed(responses, s.substring(i));
            }
            int headEnd = s.indexOf("\r\n\r\n", i);
            int headEndLength = 4;
            int lfEnd = s.indexOf("\n\n", i);
            if (headEnd < 0 || lfEnd >= 0 && lfEnd < headEnd) {
                headEnd = lfEnd;
                headEndLength = 2;
            }
            if (headEnd < 0) {
                return new Parsed(responses, s.substring(i));
            }
            int status;
            try {
                status = Integer.parseInt(s.substring(i + 9, i + 12));
            } catch (NumberFormatException e) {
                return new Parsed(responses, s.substring(i));
            }
            String head = s.substring(i, headEnd).toLowerCase(Locale.ROOT);
            int bodyStart = headEnd + headEndLength;
            String body;
            int next;
            long length = header(head, "content-length") == null ? -1 : Long.parseLong(header(head, "content-length").trim());
            String te = header(head, "transfer-encoding");
            if (s.startsWith("HTTP/1.", bodyStart) && status >= 200) {
                body = ""; // the answer to HEAD: framing headers, no body
                next = bodyStart;
            } else if (status < 200 || status == 204 || status == 304) {
                body = "";
                next = bodyStart;
                if (status < 200) {
                    i = next;
                    continue; // interim
                }
            } else if (te != null && te.contains("chunked")) {
                StringBuilder data = new StringBuilder();
                int j = bodyStart;
                while (true) {
                    int lineEnd = s.indexOf("\r\n", j);
                    if (lineEnd < 0) {
                        return new Parsed(responses, s.substring(i));
                    }
                    String sizeText = s.substring(j, lineEnd).split(";")[0].trim();
                    int size = Integer.parseInt(sizeText, 16);
                    j = lineEnd + 2;
                    if (size == 0) {
                        int end = s.indexOf("\r\n", j);
                        while (end > j) { // trailers
                            j = end + 2;
                            end = s.indexOf("\r\n", j);
                        }
                        next = end < 0 ? s.length() : end + 2;
                        break;
                    }
                    if (j + size > s.length()) {
                        return new Parsed(responses, s.substring(i));
                    }
                    data.append(s, j, j + size);
                    j += size + 2;
                }
                body = data.toString();
            } else if (length >= 0) {
                next = (int) Math.min(s.length(), bodyStart + length);
                body = s.substring(bodyStart, next);
            } else {
                body = s.substring(bodyStart);
                next = s.length();
            }
            Kind kind;
            String record = null;
            if (body.startsWith("REC ")) {
                kind = Kind.APP;
                record = body.strip();
            } else if (body.startsWith("jcluster: ")) {
                kind = Kind.JCLUSTER;
            } else if (status == 200 && body.isEmpty()) {
                kind = Kind.EMPTY;
            } else {
                kind = Kind.OTHER;
            }
            responses.add(new Response(status, kind, record, s.substring(i, next)));
            i = next;
        }
        return new Parsed(responses, "");
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
