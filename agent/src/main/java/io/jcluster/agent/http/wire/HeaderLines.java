package io.jcluster.agent.http.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A head's bytes, copied in bulk as they are scanned (parsing works on an array, not a buffer), and each
 * header line by its offsets into them, with its kind and whether it is dropped. Offsets are relative to the
 * head's first byte. The arrays are taken from the event loop's {@link HeadArrays} when the head's first byte is
 * copied and given back when it is reset; they grow to the largest head seen while held. Nothing reads a head's
 * bytes after its reset (the arrays are then another head's).
 */
final class HeaderLines {

    static final int FIELDS = 5; // per header line: start, name end, value start, value end, next line

    /** Null while the head holds no arrays: after a {@link #reset}, until {@link #room}. */
    byte[] bytes;
    private int[] lines;
    /** Per line its kind ({@link MessageHead#OTHER}...), and {@link #DROPPED} once dropped. */
    private byte[] kinds;
    private HeadArrays held;
    private int count;
    /**
     * Kept in the kind's byte, not in an array of its own: a reset then clears nothing per line (a head's arrays are
     * cold by the time its object serves the next message; each one touched costs a cache miss per message).
     */
    private static final byte DROPPED = 0x40;
    private static final byte KIND = DROPPED - 1;

    void reset() {
        count = 0;
        HeadArrays held = this.held;
        if (held != null) {
            this.held = null;
            held.giveBack(bytes, lines, kinds);
            bytes = null;
            lines = null;
            kinds = null;
        }
    }

    private void take() {
        HeadArrays held = HeadArrays.take();
        this.held = held;
        bytes = held.bytes;
        lines = held.lines;
        kinds = held.kinds;
    }

    /** Makes room for the head's first {@code length} bytes, keeping those copied so far. */
    byte[] room(int length) {
        if (held == null) {
            take();
        }
        if (length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length, bytes.length * 2));
        }
        return bytes;
    }

    void add(int start, int nameEnd, int valueStart, int valueEnd, int next, byte kind) {
        if (held == null) {
            take();
        }
        if (count == kinds.length) {
            int n = kinds.length * 2;
            lines = Arrays.copyOf(lines, n * FIELDS);
            kinds = Arrays.copyOf(kinds, n);
        }
        int f = count * FIELDS;
        lines[f] = start;
        lines[f + 1] = nameEnd;
        lines[f + 2] = valueStart;
        lines[f + 3] = valueEnd;
        lines[f + 4] = next;
        kinds[count] = kind;
        count++;
    }

    int count() {
        return count;
    }

    byte kind(int line) {
        return (byte) (kinds[line] & KIND);
    }

    int lineStart(int line) {
        return lines[line * FIELDS];
    }

    int nameEnd(int line) {
        return lines[line * FIELDS + 1];
    }

    int valueStart(int line) {
        return lines[line * FIELDS + 2];
    }

    int valueEnd(int line) {
        return lines[line * FIELDS + 3];
    }

    int lineNext(int line) {
        return lines[line * FIELDS + 4];
    }

    String value(int line) {
        int vs = lines[line * FIELDS + 2];
        return new String(bytes, vs, lines[line * FIELDS + 3] - vs, StandardCharsets.ISO_8859_1);
    }

    int first(byte kind) {
        for (int i = 0; i < count; i++) {
            if ((kinds[i] & KIND) == kind) {
                return i;
            }
        }
        return -1;
    }

    void drop(int line) {
        kinds[line] |= DROPPED;
    }

    boolean dropped(int line) {
        return (kinds[line] & DROPPED) != 0;
    }

    /** Whether the name of {@code line} equals {@code bytes[s, e)}, ignoring case. */
    boolean nameEquals(int line, int s, int e) {
        int ns = lines[line * FIELDS];
        int ne = lines[line * FIELDS + 1];
        if (ne - ns != e - s) {
            return false;
        }
        for (int i = 0; i < e - s; i++) {
            if ((bytes[ns + i] | 0x20) != (bytes[s + i] | 0x20)) {
                return false;
            }
        }
        return true;
    }
}
