package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the cache needs of one request: its method, the key of its target, its Cache-Control/Pragma directives
 * (RFC 9111 section 5.2.1) and whether it carries Authorization (section 3.5). One instance per client connection,
 * {@link #read} again for each request: the hit path allocates nothing but the key text.
 *
 * <p>It reads the head in place and keeps it: {@link #header}, {@link #varyMatches} and {@link #varyValues} read
 * the head's bytes, so they answer for the request last read only while its head has not been reset.
 *
 * <p>Hostile directives read as the more restrictive thing: a max-age that is not a number or given twice
 * differently is max-age=0 (validate), an unusable max-stale or stale-if-error grants nothing, an unusable min-fresh
 * asks for more freshness than any response has, a Cache-Control with an unterminated quoted string is no-cache and
 * no-store.
 */
public final class CacheRequest {

    private static final int GET = 1;
    private static final int HEAD = 2;
    private static final int SAFE = 3; // OPTIONS, TRACE: safe (RFC 9110 section 9.2.1) but not cacheable here
    private static final int UNSAFE = 4;
    /**
     * Headers with which frameworks let a client change the method or the path a request is handled as (Symfony,
     * Laravel, Spring's HiddenHttpMethodFilter variants, IIS URL rewrite): the cache, which keys and judges a request
     * by its request line, cannot know what such a request is, so it treats it as a method of unknown safety
     * (RFC 9111 section 4.4) — never answered from or stored in the cache, a classic cache poisoning vector.
     */
    private static final String[] OVERRIDES = {"x-http-method-override", "x-http-method", "x-method-override",
            "x-original-url", "x-rewrite-url", "x-original-method"};

    /**
     * Which request header lines, besides Host and the target, change what the app renders and so belong in the key:
     * the forwarding headers a trusted proxy sent (X-Forwarded-Proto, Forwarded, ...), which the app sees.
     */
    public interface KeyedFields {
        /** Whether line {@code line} of {@code head} is part of the key; must not allocate. */
        boolean keyed(MessageHead head, int line);
    }

    private final CacheControl directives = new CacheControl();
    private MessageHead head;
    private boolean secure;
    private KeyedFields keyed;
    private int method;
    private boolean authorization;
    private boolean pragmaNoCache;
    private String key;
    /** Where the key is assembled, and the canonical value of a Vary-named field: grows to the largest of them. */
    private byte[] scratch = new byte[256];

    /**
     * Reads the request head (before the proxy drops its hop-by-hop lines).
     *
     * @param secure whether the client came over TLS: the scheme is part of the key
     */
    public void read(MessageHead head, boolean secure) {
        read(head, secure, null);
    }

    /**
     * Reads the request head (before the proxy drops its hop-by-hop lines).
     *
     * @param secure whether the client came over TLS: the scheme is part of the key
     * @param keyed  the lines whose names and values go into the key after the target, or null for none
     */
    public void read(MessageHead head, boolean secure, KeyedFields keyed) {
        this.head = head;
        this.secure = secure;
        this.keyed = keyed;
        this.key = null;
        byte[] b = head.bytes();
        method = method(b, head.startLineStart());
        directives.reset();
        authorization = false;
        pragmaNoCache = false;
        boolean pragma = false;
        for (int line = 0; line < head.count(); line++) {
            if (head.kind(line) != MessageHead.OTHER) {
                continue;
            }
            int nameLength = head.nameEnd(line) - head.lineStart(line);
            if (nameLength == 13 && FieldLines.named(head, line, "cache-control")) {
                directives.read(b, head.valueStart(line), head.valueEnd(line));
            } else if (nameLength == 13 && FieldLines.named(head, line, "authorization")) {
                authorization = true;
            } else if (nameLength == 6 && FieldLines.named(head, line, "pragma")) {
                pragma |= hasNoCache(b, head.valueStart(line), head.valueEnd(line));
            } else if (nameLength >= 13 && (b[head.lineStart(line)] | 0x20) == 'x' && overrides(head, line)) {
                method = UNSAFE;
            }
        }
        // RFC 7234 section 5.4 (RFC 9111 section 5.4 deprecates Pragma but keeps HTTP/1.0 clients working): Pragma:
        // no-cache counts only when the request has no Cache-Control
        pragmaNoCache = pragma && !directives.present();
    }

    private static boolean overrides(MessageHead head, int line) {
        for (String name : OVERRIDES) {
            if (FieldLines.named(head, line, name)) {
                return true;
            }
        }
        return false;
    }

    private static int method(byte[] b, int s) {
        int e = s;
        while (b[e] != ' ') {
            e++;
        }
        switch (e - s) { // methods are case-sensitive (RFC 9110 section 9.1)
            case 3:
                return is(b, s, "GET") ? GET : UNSAFE;
            case 4:
                return is(b, s, "HEAD") ? HEAD : UNSAFE;
            case 5:
                return is(b, s, "TRACE") ? SAFE : UNSAFE;
            case 7:
                return is(b, s, "OPTIONS") ? SAFE : UNSAFE;
            default:
                return UNSAFE;
        }
    }

    private static boolean is(byte[] b, int s, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (b[s + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the Pragma value {@code b[s, e)} has the element no-cache. */
    private static boolean hasNoCache(byte[] b, int s, int e) {
        int i = s;
        while (i < e) {
            while (i < e && (b[i] == ' ' || b[i] == '\t' || b[i] == ',')) {
                i++;
            }
            int start = i;
            while (i < e && b[i] != ',') {
                i++;
            }
            int end = i;
            while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
                end--;
            }
            if (CacheControl.equalsIgnoreCase(b, start, end, "no-cache")) {
                return true;
            }
        }
        return false;
    }

    /**
     * GET or HEAD: a method whose response a cache may reuse (RFC 9111 section 2 with RFC 9110 9.2.3); not when a
     * header overrides the method or the path ({@link #OVERRIDES}).
     */
    public boolean cacheableMethod() {
        return method == GET || method == HEAD;
    }

    /**
     * POST, PUT, PATCH, DELETE, or any method not known safe, such as a request whose method or path a header
     * overrides: its success invalidates (RFC 9111 section 4.4).
     */
    public boolean unsafeMethod() {
        return method == UNSAFE;
    }

    public boolean headMethod() {
        return method == HEAD;
    }

    /**
     * The primary key: scheme, host (lower case) and the request target as sent, e.g. {@code http://a.example/x?y}.
     * The host is the Host header's (the scanner has checked that an absolute-form target names the same); an
     * absolute-form target contributes its path and query only, and an empty path is "/" (RFC 9110 section 4.2.3).
     * Then, for each line {@link KeyedFields} names, LF, its name (lower case), ':' and its value as sent: no target
     * and no field value holds an LF, so the parts cannot run into each other.
     */
    public String key() {
        String k = key;
        if (k == null) {
            key = k = buildKey();
        }
        return k;
    }

    private String buildKey() {
        MessageHead h = head;
        byte[] b = h.bytes();
        int ts = h.startLineStart();
        while (b[ts] != ' ') {
            ts++;
        }
        ts++;
        int te = h.versionStart() - 1;
        int hs = -1;
        int he = -1;
        int afterScheme = startsWithIgnoreCase(b, ts, te, "http://") ? ts + 7
                : startsWithIgnoreCase(b, ts, te, "https://") ? ts + 8 : -1;
        if (afterScheme >= 0) {
            hs = afterScheme;
            ts = afterScheme;
            while (ts < te && b[ts] != '/' && b[ts] != '?' && b[ts] != '#') {
                ts++;
            }
            he = ts;
        }
        int host = h.first(MessageHead.HOST);
        if (host >= 0) {
            hs = h.valueStart(host);
            he = h.valueEnd(host);
        }
        String scheme = secure ? "https://" : "http://";
        int length = scheme.length() + Math.max(he - hs, 0) + 1 + (te - ts);
        KeyedFields fields = keyed;
        if (fields != null) {
            for (int line = 0; line < h.count(); line++) {
                if (fields.keyed(h, line)) {
                    length += 2 + h.valueEnd(line) - h.lineStart(line);
                }
            }
        }
        byte[] out = room(length);
        int n = 0;
        for (int i = 0; i < scheme.length(); i++) {
            out[n++] = (byte) scheme.charAt(i);
        }
        for (int i = hs; i < he; i++) {
            byte c = b[i];
            out[n++] = c >= 'A' && c <= 'Z' ? (byte) (c | 0x20) : c;
        }
        if (ts == te || b[ts] != '/') {
            out[n++] = '/';
        }
        System.arraycopy(b, ts, out, n, te - ts);
        n += te - ts;
        if (fields != null) {
            for (int line = 0; line < h.count(); line++) {
                if (fields.keyed(h, line)) {
                    out[n++] = '\n';
                    for (int i = h.lineStart(line); i < h.nameEnd(line); i++) {
                        byte c = b[i];
                        out[n++] = c >= 'A' && c <= 'Z' ? (byte) (c | 0x20) : c;
                    }
                    out[n++] = ':';
                    System.arraycopy(b, h.valueStart(line), out, n, h.valueEnd(line) - h.valueStart(line));
                    n += h.valueEnd(line) - h.valueStart(line);
                }
            }
        }
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWithIgnoreCase(byte[] b, int s, int e, String lower) {
        return e - s >= lower.length() && CacheControl.equalsIgnoreCase(b, s, s + lower.length(), lower);
    }

    private byte[] room(int length) {
        if (scratch.length < length) {
            scratch = Arrays.copyOf(scratch, Math.max(length, scratch.length * 2));
        }
        return scratch;
    }

    /** The value of request header {@code name} (case-insensitive), the field lines joined by ", "; null if absent. */
    public String header(String name) {
        return FieldLines.combined(head, name.toLowerCase(Locale.ROOT));
    }

    public boolean authorization() {
        return authorization;
    }

    /** no-cache, or Pragma: no-cache without Cache-Control, or max-age=0: a stored response must be validated first. */
    public boolean noCache() {
        return directives.has(CacheControl.NO_CACHE) || directives.malformed() || pragmaNoCache || maxAge() == 0;
    }

    /** no-store (section 5.2.1.5): the response to this request is not stored. */
    public boolean noStore() {
        return directives.has(CacheControl.NO_STORE) || directives.malformed();
    }

    /** max-age=N in seconds, or -1; 0 (validate) when not a number or repeated with another value. */
    public long maxAge() {
        long v = directives.value(CacheControl.MAX_AGE);
        return v == CacheControl.INVALID || v == CacheControl.NO_VALUE ? 0 : v;
    }

    /** max-stale[=N]: Long.MAX_VALUE without a value, -1 when absent (or unusable: no staleness granted). */
    public long maxStale() {
        long v = directives.value(CacheControl.MAX_STALE);
        return v == CacheControl.NO_VALUE ? Long.MAX_VALUE : v == CacheControl.INVALID ? -1 : v;
    }

    /** min-fresh=N, or -1; 2^31 (more than any response is fresh for) when unusable. */
    public long minFresh() {
        long v = directives.value(CacheControl.MIN_FRESH);
        return v == CacheControl.INVALID || v == CacheControl.NO_VALUE ? CacheControl.INFINITY : v;
    }

    /** stale-if-error=N as a request directive (RFC 5861 section 4: for this request), or -1. */
    public long staleIfError() {
        long v = directives.value(CacheControl.STALE_IF_ERROR);
        return v < 0 ? -1 : v;
    }

    /** only-if-cached: answer 504 rather than ask a worker (section 5.2.1.7). */
    public boolean onlyIfCached() {
        return directives.has(CacheControl.ONLY_IF_CACHED);
    }

    /**
     * Whether this request's {@code name} field (lower case) matches {@code stored}, the canonical value the stored
     * response's request had ({@link #varyValues}), null for absent: RFC 9111 section 4.1. Allocates nothing.
     */
    boolean fieldMatches(String name, String stored) {
        byte[] out = room(FieldLines.canonicalRoom(head, name));
        int n = FieldLines.canonical(head, name, out);
        if (n < 0 || stored == null) {
            return n < 0 && stored == null;
        }
        if (n != stored.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((out[i] & 0xff) != stored.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canonical values of the request fields {@code names} (a response's {@link ResponseFacts#vary()}), null for
     * an absent one: what {@link StoredResponse#varyValues()} keeps for {@link CachePolicy#varyMatches}.
     */
    public String[] varyValues(List<String> names) {
        String[] values = new String[names.size()];
        for (int i = 0; i < values.length; i++) {
            byte[] out = room(FieldLines.canonicalRoom(head, names.get(i)));
            int n = FieldLines.canonical(head, names.get(i), out);
            values[i] = n < 0 ? null : new String(out, 0, n, StandardCharsets.ISO_8859_1);
        }
        return values;
    }
}
