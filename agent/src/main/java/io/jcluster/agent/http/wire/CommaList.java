package io.jcluster.agent.http.wire;

/**
 * Walks a comma-separated header value ({@code #element}, RFC 9110 section 5.6.1) one element at a time, without
 * the whitespace around each element: Connection's options, Upgrade's protocols, Transfer-Encoding's codings. The
 * one place such lists are split; reused for every list of a head, so it allocates nothing.
 */
final class CommaList {

    private byte[] bytes;
    private int next;
    private int end;
    private int elementStart;
    private int elementEnd;

    /** Starts on the list in {@code bytes[from, to)}; {@link #next} then finds its first element. */
    CommaList over(byte[] bytes, int from, int to) {
        this.bytes = bytes;
        this.next = from;
        this.end = to;
        return this;
    }

    /** Moves to the next element (possibly empty: {@code a,,b}); false when the list has no more. */
    boolean next() {
        int i = next;
        if (i >= end) {
            return false;
        }
        byte[] b = bytes;
        int comma = i;
        while (comma < end && b[comma] != ',') {
            comma++;
        }
        int s = i;
        int e = comma;
        while (s < e && isSpace(b[s])) {
            s++;
        }
        while (e > s && isSpace(b[e - 1])) {
            e--;
        }
        elementStart = s;
        elementEnd = e;
        next = comma + 1;
        return true;
    }

    /** Where the current element starts in the bytes. */
    int start() {
        return elementStart;
    }

    /** Where the current element ends in the bytes (exclusive). */
    int end() {
        return elementEnd;
    }

    boolean isEmpty() {
        return elementEnd == elementStart;
    }

    /** Whether the current element is {@code lower}, ignoring the case of letters. */
    boolean is(String lower) {
        return equalsIgnoreCase(bytes, elementStart, elementEnd, lower);
    }

    /** Whether the list has the element {@code lower}, ignoring case. */
    boolean contains(String lower) {
        while (next()) {
            if (is(lower)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the last element of the list in {@code bytes[from, to)} (which ends without whitespace, as a header
     * value does) is {@code lower}, ignoring case; an empty last element ({@code "chunked,"}) is not.
     */
    static boolean lastIs(byte[] bytes, int from, int to, String lower) {
        int s = from;
        for (int i = to - 1; i >= from; i--) {
            if (bytes[i] == ',') {
                s = i + 1;
                break;
            }
        }
        while (s < to && isSpace(bytes[s])) {
            s++;
        }
        return equalsIgnoreCase(bytes, s, to, lower);
    }

    static boolean equalsIgnoreCase(byte[] bytes, int s, int e, String lower) {
        if (e - s != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((bytes[s + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }
}
