package io.jcluster.agent.log;

/**
 * Strings as JSON string literals (RFC 8259 section 7): quote, backslash and every control character escaped, so
 * that a line a worker or a client wrote can never end the object early or start a new line of the log.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** Appends {@code value} as a quoted JSON string; null as {@code null}. */
    public static StringBuilder string(StringBuilder out, CharSequence value) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // C0 controls must be escaped; DEL and the C1 controls and the line/paragraph separators are
                    // escaped too, since some readers take them as line ends
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Appends {@code ,"name":"value"} (or {@code {"name":...} first). */
    public static StringBuilder field(StringBuilder out, String name, CharSequence value) {
        out.append(out.length() == 0 ? "{" : ",");
        string(out, name).append(':');
        return string(out, value);
    }

    public static StringBuilder field(StringBuilder out, String name, long value) {
        out.append(out.length() == 0 ? "{" : ",");
        return string(out, name).append(':').append(value);
    }
}
