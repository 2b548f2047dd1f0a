package io.jcluster.agent.http.cache;

/**
 * The directives of Cache-Control field lines (RFC 9111 section 5.2), read in place from a head's bytes into flags
 * and numbers: {@code #cache-directive}, {@code cache-directive = token [ "=" ( token / quoted-string ) ]}, names
 * compared ignoring case. One pass, no allocation, linear in the value's length whatever it holds (a huge number, a
 * quoted comma, ten thousand directives), never an exception. Reused: {@link #reset} before each message.
 *
 * <p>What hostile or broken values mean, always the more restrictive reading (section 4.2.1: "the most
 * restrictive directive should be honored"): a number is {@code 1*DIGIT} in the token or the quoted form (section
 * 5.2: recipients accept both), capped at 2^31 (section 1.2.2); a number directive given twice with different
 * values, or with a value that is not a number, is {@link #INVALID}; a flag directive that takes no argument but has
 * one still counts when it restricts (no-store, must-revalidate, ...) and does not when it permits (public); an
 * unterminated quoted string makes the whole field {@link #malformed()}. Unknown directives are ignored (section
 * 5.2.3).
 */
final class CacheControl {

    /** A number directive that is absent. */
    static final long ABSENT = -1;
    /** A number directive that is present with no usable value (not a number, or two different ones). */
    static final long INVALID = -2;
    /** delta-seconds past what a cache represents is 2^31 (RFC 9111 section 1.2.2). */
    static final long INFINITY = 2_147_483_648L;
    /** max-stale without a value: any staleness. */
    static final long NO_VALUE = -3;

    static final int NO_CACHE = 1;
    static final int NO_STORE = 1 << 1;
    static final int PRIVATE = 1 << 2;
    static final int PUBLIC = 1 << 3;
    static final int MUST_REVALIDATE = 1 << 4;
    static final int PROXY_REVALIDATE = 1 << 5;
    static final int MUST_UNDERSTAND = 1 << 6;
    static final int ONLY_IF_CACHED = 1 << 7;

    // the number directives, indexes into values
    static final int MAX_AGE = 0;
    static final int S_MAXAGE = 1;
    static final int MAX_STALE = 2;
    static final int MIN_FRESH = 3;
    static final int STALE_WHILE_REVALIDATE = 4;
    static final int STALE_IF_ERROR = 5;

    private static final String[] NUMBER_NAMES = {"max-age", "s-maxage", "max-stale", "min-fresh",
            "stale-while-revalidate", "stale-if-error"};
    private static final String[] FLAG_NAMES = {"no-cache", "no-store", "private", "public", "must-revalidate",
            "proxy-revalidate", "must-understand", "only-if-cached"};
    /** Flags that permit more than the default: they count only in their exact form, without an argument. */
    private static final int PERMISSIVE = PUBLIC | MUST_UNDERSTAND | ONLY_IF_CACHED;

    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private int flags;
    private final long[] values = new long[NUMBER_NAMES.length];
    private boolean present;
    private boolean malformed;

    CacheControl() {
        reset();
    }

    void reset() {
        flags = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = ABSENT;
        }
        present = false;
        malformed = false;
    }

    /** Whether a Cache-Control field line was read since {@link #reset}. */
    boolean present() {
        return present;
    }

    /** A field line held an unterminated quoted string: what follows it cannot be told apart. */
    boolean malformed() {
        return malformed;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The value of number directive {@code which}: seconds, {@link #ABSENT}, {@link #INVALID} or {@link #NO_VALUE}. */
    long value(int which) {
        return values[which];
    }

    /** Reads one Cache-Control field line's value {@code b[s, e)}. */
    void read(byte[] b, int s, int e) {
        present = true;
        int i = s;
        while (i < e) {
            byte c = b[i];
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < e && TOKEN[b[i] & 0xff]) {
                i++;
            }
            int nameEnd = i;
            int argStart = -1;
            int argEnd = -1;
            boolean valid = nameEnd > nameStart;
            if (valid && i < e && b[i] == '=') {
                i++;
                if (i < e && b[i] == '"') {
                    argStart = ++i;
                    i = closingQuote(b, i, e);
                    if (i < 0) {
                        malformed = true;
                        return;
                    }
                    argEnd = i++;
                } else {
                    argStart = i;
                    while (i < e && TOKEN[b[i] & 0xff]) {
                        i++;
                    }
                    argEnd = i;
                    valid = argEnd > argStart;
                }
            }
            while (i < e && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i < e && b[i] != ',') {
                valid = false;
                i = nextElement(b, i, e);
                if (i < 0) {
                    malformed = true;
                    return;
                }
            }
            if (nameEnd > nameStart) {
                directive(b, nameStart, nameEnd, argStart, argEnd, valid);
            }
        }
    }

    private void directive(byte[] b, int ns, int ne, int as, int ae, boolean valid) {
        for (int f = 0; f < FLAG_NAMES.length; f++) {
            if (equalsIgnoreCase(b, ns, ne, FLAG_NAMES[f])) {
                int flag = 1 << f;
                if ((flag & PERMISSIVE) == 0 || valid && as < 0) {
                    flags |= flag;
                }
                return;
            }
        }
        for (int n = 0; n < NUMBER_NAMES.length; n++) {
            if (equalsIgnoreCase(b, ns, ne, NUMBER_NAMES[n])) {
                long value = !valid ? INVALID : as < 0 ? NO_VALUE : deltaSeconds(b, as, ae);
                long before = values[n];
                values[n] = before == ABSENT || before == value ? value : INVALID;
                return;
            }
        }
    }

    /**
     * {@code 1*DIGIT} in {@code b[s, e)} as seconds, capped at {@link #INFINITY} (RFC 9111 section 1.2.2), or
     * {@link #INVALID}. Leading zeros are digits like any other.
     */
    static long deltaSeconds(byte[] b, int s, int e) {
        if (s >= e) {
            return INVALID;
        }
        long value = 0;
        for (int i = s; i < e; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return INVALID;
            }
            value = Math.min(value * 10 + digit, INFINITY);
        }
        return value;
    }

    /** The index of the quote that ends the quoted string whose content starts at {@code i}, or -1. */
    private static int closingQuote(byte[] b, int i, int e) {
        while (i < e) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            i += c == '\\' ? 2 : 1;
        }
        return -1;
    }

    /** The index of the comma that ends the element at {@code i} (or {@code e}), skipping quoted strings; -1 if one is unterminated. */
    private static int nextElement(byte[] b, int i, int e) {
        while (i < e && b[i] != ',') {
            if (b[i] == '"') {
                i = closingQuote(b, i + 1, e);
                if (i < 0) {
                    return -1;
                }
            }
            i++;
        }
        return i;
    }

    static boolean equalsIgnoreCase(byte[] b, int s, int e, String lower) {
        if (e - s != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((b[s + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isToken(byte c) {
        return TOKEN[c & 0xff];
    }
}
