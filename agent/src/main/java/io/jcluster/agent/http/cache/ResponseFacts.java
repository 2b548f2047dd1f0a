package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the cache needs of one response head: status, Cache-Control directives (RFC 9111 section 5.2.2), Expires,
 * Date, Age, Vary, the validators (ETag, Last-Modified), Set-Cookie, Location and Content-Location. Read once per
 * response that might be stored; times in epoch seconds (HTTP-dates have seconds), -1 when absent or invalid, but
 * for Expires (see {@link #expires()}).
 *
 * <p>Hostile or broken values read as the more restrictive thing, each by the rule cited at its accessor: they
 * never throw, and reading is linear in the head's length.
 */
public final class ResponseFacts {

    /** More names than this in Vary read as {@code Vary: *}: a variant key that long is not worth keeping. */
    static final int MAX_VARY = 16;

    private static final List<String> VARY_ANY = List.of("*");

    private final int status;
    private final int flags;
    private final boolean cacheControlMalformed;
    private final long maxAge;
    private final long sMaxAge;
    private final long staleWhileRevalidate;
    private final long staleIfError;
    private final long expires;
    private final long date;
    private final long age;
    private final long lastModified;
    private final String etag;
    private final List<String> vary;
    private final boolean setCookie;
    private final String location;
    private final String contentLocation;

    private ResponseFacts(MessageHead head, long now) {
        byte[] b = head.bytes();
        status = head.status();
        CacheControl cc = new CacheControl();
        for (int line = FieldLines.find(head, "cache-control", 0); line >= 0;
             line = FieldLines.find(head, "cache-control", line + 1)) {
            cc.read(b, head.valueStart(line), head.valueEnd(line));
        }
        flags = cc.malformed() ? CacheControl.NO_STORE | CacheControl.NO_CACHE : flagsOf(cc);
        cacheControlMalformed = cc.malformed();
        // section 4.2.1: a max-age or s-maxage that is invalid or given twice differently makes the response stale
        maxAge = lifetime(cc.value(CacheControl.MAX_AGE));
        sMaxAge = lifetime(cc.value(CacheControl.S_MAXAGE));
        // RFC 5861: an unusable stale-* value grants nothing
        staleWhileRevalidate = permission(cc.value(CacheControl.STALE_WHILE_REVALIDATE));
        staleIfError = permission(cc.value(CacheControl.STALE_IF_ERROR));
        expires = expires(head, now);
        date = date(head, "date", now);
        age = age(head);
        lastModified = date(head, "last-modified", now);
        etag = etag(head);
        vary = vary(head);
        setCookie = head.first(MessageHead.SET_COOKIE) >= 0;
        location = singleValue(head, "location");
        contentLocation = singleValue(head, "content-location");
    }

    /** Reads a final response head (status 200..599) as the worker sent it. */
    public static ResponseFacts read(MessageHead head) {
        return read(head, System.currentTimeMillis() / 1000);
    }

    /** {@link #read(MessageHead)} with the clock given (an RFC 850 date's two-digit year is read relative to it). */
    static ResponseFacts read(MessageHead head, long now) {
        return new ResponseFacts(head, now);
    }

    private static int flagsOf(CacheControl cc) {
        int f = 0;
        for (int flag = 1; flag <= CacheControl.ONLY_IF_CACHED; flag <<= 1) {
            if (cc.has(flag)) {
                f |= flag;
            }
        }
        return f;
    }

    private static long lifetime(long value) {
        return value == CacheControl.INVALID || value == CacheControl.NO_VALUE ? 0 : value;
    }

    private static long permission(long value) {
        return value < 0 ? -1 : value;
    }

    /**
     * Section 5.3: an invalid Expires (such as "0") is a time in the past, 0 here; section 4.2.1: two Expires lines
     * make the response stale, 0 too.
     */
    private static long expires(MessageHead head, long now) {
        int line = FieldLines.single(head, "expires");
        if (line == -1) {
            return -1;
        }
        if (line == -2) {
            return 0;
        }
        long value = HttpDate.parse(head.bytes(), head.valueStart(line), head.valueEnd(line), now);
        return Math.max(value, 0);
    }

    /** An HTTP-date field given once; -1 when absent, invalid or repeated (it is a singleton field). */
    private static long date(MessageHead head, String name, long now) {
        int line = FieldLines.single(head, name);
        return line < 0 ? -1 : HttpDate.parse(head.bytes(), head.valueStart(line), head.valueEnd(line), now);
    }

    /**
     * Section 5.1: the first member of the first Age line; a value that is not a non-negative integer is ignored
     * (0). A number past 2^31 is 2^31 (section 1.2.2).
     */
    private static long age(MessageHead head) {
        int line = FieldLines.find(head, "age", 0);
        if (line < 0) {
            return 0;
        }
        byte[] b = head.bytes();
        int s = head.valueStart(line);
        int e = s;
        while (e < head.valueEnd(line) && b[e] != ',') {
            e++;
        }
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        long value = CacheControl.deltaSeconds(b, s, e);
        return value < 0 ? 0 : value;
    }

    /**
     * One ETag line with an entity-tag (RFC 9110 section 8.8.3: [W/] DQUOTE *etagc DQUOTE); else null (no validator
     * to send rather than a wrong one).
     */
    private static String etag(MessageHead head) {
        int line = FieldLines.single(head, "etag");
        if (line < 0) {
            return null;
        }
        byte[] b = head.bytes();
        int s = head.valueStart(line);
        int e = head.valueEnd(line);
        int q = e - s >= 4 && b[s] == 'W' && b[s + 1] == '/' ? s + 2 : s;
        if (e - q < 2 || b[q] != '"' || b[e - 1] != '"') {
            return null;
        }
        for (int i = q + 1; i < e - 1; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c < 0x21 || c == 0x7f) {
                return null;
            }
        }
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /**
     * Vary's field names, lower case, in order, without duplicates (RFC 9110 section 12.5.5); {@code ["*"]} for a
     * "*" member, and also for a member that is not a field name or more than {@link #MAX_VARY} names: a response
     * that cannot be matched reliably is not matched at all (RFC 9111 section 4.1).
     */
    private static List<String> vary(MessageHead head) {
        List<String> names = null;
        byte[] b = head.bytes();
        for (int line = FieldLines.find(head, "vary", 0); line >= 0; line = FieldLines.find(head, "vary", line + 1)) {
            int i = head.valueStart(line);
            int e = head.valueEnd(line);
            while (i < e) {
                while (i < e && (b[i] == ' ' || b[i] == '\t' || b[i] == ',')) {
                    i++;
                }
                int s = i;
                while (i < e && b[i] != ',') {
                    i++;
                }
                int end = i;
                while (end > s && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
                    end--;
                }
                if (end == s) {
                    continue;
                }
                if (b[s] == '*' && end == s + 1) {
                    return VARY_ANY;
                }
                for (int k = s; k < end; k++) {
                    if (!CacheControl.isToken(b[k])) {
                        return VARY_ANY;
                    }
                }
                String name = new String(b, s, end - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (names == null) {
                    names = new ArrayList<>(4);
                }
                if (!names.contains(name)) {
                    if (names.size() == MAX_VARY) {
                        return VARY_ANY;
                    }
                    names.add(name);
                }
            }
        }
        return names == null ? List.of() : List.copyOf(names);
    }

    /** A field given once; null when absent or repeated (a list of URIs to invalidate is not a single URI). */
    private static String singleValue(MessageHead head, String name) {
        int line = FieldLines.single(head, name);
        return line < 0 ? null : head.value(line);
    }

    public int status() {
        return status;
    }

    /** no-store (section 5.2.2.5); also a Cache-Control with an unterminated quoted string, which cannot be read. */
    public boolean noStore() {
        return (flags & CacheControl.NO_STORE) != 0;
    }

    /**
     * no-cache (section 5.2.2.4): store, but validate before each reuse. The qualified form ({@code no-cache="f"})
     * reads as the unqualified one, as the section's note says caches commonly do.
     */
    public boolean noCache() {
        return (flags & CacheControl.NO_CACHE) != 0;
    }

    /**
     * private (section 5.2.2.7): a shared cache does not store it. The qualified form ({@code private="f"}), which
     * would allow storing the response without the named fields, reads as the unqualified one (the section's note).
     */
    public boolean privateResponse() {
        return (flags & CacheControl.PRIVATE) != 0;
    }

    /** public without an argument (section 5.2.2.9); {@code public=x} is not the directive and grants nothing. */
    public boolean publicResponse() {
        return (flags & CacheControl.PUBLIC) != 0;
    }

    public boolean mustRevalidate() {
        return (flags & CacheControl.MUST_REVALIDATE) != 0;
    }

    public boolean proxyRevalidate() {
        return (flags & CacheControl.PROXY_REVALIDATE) != 0;
    }

    /** must-understand (section 5.2.2.3). */
    public boolean mustUnderstand() {
        return (flags & CacheControl.MUST_UNDERSTAND) != 0;
    }

    /** A Cache-Control line held an unterminated quoted string (read as no-store, no-cache). */
    public boolean cacheControlMalformed() {
        return cacheControlMalformed;
    }

    /** s-maxage=N, or -1; 0 when present but invalid or repeated with another value (section 4.2.1: stale). */
    public long sMaxAge() {
        return sMaxAge;
    }

    /** max-age=N, or -1; 0 when present but invalid or repeated with another value (section 4.2.1: stale). */
    public long maxAge() {
        return maxAge;
    }

    /** stale-while-revalidate=N (RFC 5861 section 3), or -1 (also when invalid or repeated differently). */
    public long staleWhileRevalidate() {
        return staleWhileRevalidate;
    }

    /** stale-if-error=N (RFC 5861 section 4), or -1 (also when invalid or repeated differently). */
    public long staleIfError() {
        return staleIfError;
    }

    /**
     * Expires in epoch seconds, -1 when absent; 0 (a time in the past) when invalid, such as "0" (section 5.3), or
     * given on more than one line (section 4.2.1).
     */
    public long expires() {
        return expires;
    }

    /** Date in epoch seconds, -1 when absent, invalid or repeated. */
    public long date() {
        return date;
    }

    /** The Age header in seconds, or 0 (absent or invalid, section 5.1). */
    public long age() {
        return age;
    }

    public long lastModified() {
        return lastModified;
    }

    /** The ETag as sent (with quotes and W/), or null (also when it is not an entity-tag or is repeated). */
    public String etag() {
        return etag;
    }

    /** The request header names Vary lists, lower case; ["*"] for Vary: *; empty without Vary. */
    public List<String> vary() {
        return vary;
    }

    public boolean setCookie() {
        return setCookie;
    }

    /** Location and Content-Location values, or null (section 4.4). */
    public String location() {
        return location;
    }

    public String contentLocation() {
        return contentLocation;
    }

    @Override
    public String toString() {
        return "ResponseFacts[status=" + status + ", flags=" + Integer.toBinaryString(flags) + ", max-age=" + maxAge
                + ", s-maxage=" + sMaxAge + ", expires=" + expires + ", date=" + date + ", age=" + age + ", etag="
                + etag + ", vary=" + vary + "]";
    }
}
