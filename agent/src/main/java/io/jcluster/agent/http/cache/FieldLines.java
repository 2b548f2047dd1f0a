package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;

import java.nio.charset.StandardCharsets;

/**
 * The header lines of a scanned head found by name (the scanner classifies only the names the proxy frames
 * messages by; the cache's fields are the others), and a field's combined value (RFC 9110 section 5.3) in the
 * canonical form the Vary comparison uses. Nothing here allocates except {@link #combined}.
 */
final class FieldLines {

    private FieldLines() {
    }

    /** Whether line {@code line}'s name is {@code lower}, ignoring case. */
    static boolean named(MessageHead head, int line, String lower) {
        return CacheControl.equalsIgnoreCase(head.bytes(), head.lineStart(line), head.nameEnd(line), lower);
    }

    /** The first line named {@code lower} at or after {@code from}, or -1. */
    static int find(MessageHead head, String lower, int from) {
        for (int i = from; i < head.count(); i++) {
            if (named(head, i, lower)) {
                return i;
            }
        }
        return -1;
    }

    /** The only line named {@code lower}; -1 if there is none, -2 if there are several. */
    static int single(MessageHead head, String lower) {
        int first = find(head, lower, 0);
        if (first >= 0 && find(head, lower, first + 1) >= 0) {
            return -2;
        }
        return first;
    }

    /** The field lines named {@code lower} joined by ", " (RFC 9110 section 5.3), or null when there are none. */
    static String combined(MessageHead head, String lower) {
        StringBuilder joined = null;
        for (int i = find(head, lower, 0); i >= 0; i = find(head, lower, i + 1)) {
            int s = head.valueStart(i);
            String value = new String(head.bytes(), s, head.valueEnd(i) - s, StandardCharsets.ISO_8859_1);
            joined = joined == null ? new StringBuilder(value) : joined.append(", ").append(value);
        }
        return joined == null ? null : joined.toString();
    }

    /** Room enough for {@link #canonical} of {@code lower}: its lines' value bytes and a comma per line. */
    static int canonicalRoom(MessageHead head, String lower) {
        int room = 0;
        for (int line = find(head, lower, 0); line >= 0; line = find(head, lower, line + 1)) {
            room += head.valueEnd(line) - head.valueStart(line) + 1;
        }
        return room;
    }

    /**
     * Writes the canonical form of the field lines named {@code lower} into {@code out} from index 0 and returns
     * its length, or -1 when there are none. Canonical (RFC 9111 section 4.1: whitespace added or removed where the
     * syntax allows it, lines combined) means: the lines' list elements joined by one comma, without the
     * whitespace around each element and without empty elements; commas and whitespace inside quoted strings are
     * content. {@code out} must hold {@link #canonicalRoom}.
     */
    static int canonical(MessageHead head, String lower, byte[] out) {
        int n = -1;
        byte[] b = head.bytes();
        for (int line = find(head, lower, 0); line >= 0; line = find(head, lower, line + 1)) {
            n = Math.max(n, 0);
            n = canonicalLine(b, head.valueStart(line), head.valueEnd(line), out, n);
        }
        return n;
    }

    /** Appends one line's elements at {@code out[n]}; returns the new length. */
    static int canonicalLine(byte[] b, int s, int e, byte[] out, int n) {
        int i = s;
        while (i < e) {
            while (i < e && (b[i] == ' ' || b[i] == '\t' || b[i] == ',')) {
                i++;
            }
            if (i == e) {
                break;
            }
            if (n > 0) {
                out[n++] = ',';
            }
            // copy the element up to the next comma outside quotes, then drop its trailing whitespace
            int elementEnd = n;
            boolean quoted = false;
            while (i < e) {
                byte c = b[i];
                if (!quoted && c == ',') {
                    break;
                }
                if (c == '"') {
                    quoted = !quoted;
                } else if (quoted && c == '\\' && i + 1 < e) {
                    out[n++] = c;
                    c = b[++i];
                }
                out[n++] = c;
                i++;
                if (quoted || (c != ' ' && c != '\t')) {
                    elementEnd = n;
                }
            }
            n = elementEnd;
        }
        return n;
    }
}
