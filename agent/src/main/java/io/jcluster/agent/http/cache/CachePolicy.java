package io.jcluster.agent.http.cache;

import java.util.List;
import java.util.Locale;

/**
 * RFC 9111's rules for a shared cache, as pure functions, each citing its section: whether a response may be stored,
 * how long it is fresh, how old a stored one is, whether a stored one may answer a request (fresh, stale while
 * revalidating, stale on error, or must be validated), and what a response to an unsafe request invalidates.
 *
 * <p>Choices where the RFC leaves one (each the stricter): only explicit freshness is stored, no heuristic (section
 * 4.2.2 is a MAY); a response to HEAD is not stored (the GET that fills the key is); only the status codes this cache
 * understands are stored (section 3): RFC 9110's heuristically cacheable ones but 206, plus 302 and 307; a response
 * with Set-Cookie is stored only when it says public; a request with Authorization is answered from the cache only
 * by a response that section 3.5 lets a shared cache reuse for it (public, s-maxage, must-revalidate), others are
 * validated.
 */
public final class CachePolicy {

    /** What a stored response may do for a request. */
    public enum Reuse {
        /** Fresh: answer from the cache (X-Cache: HIT). */
        FRESH,
        /** Stale, stale-while-revalidate allows it: answer from the cache and validate in the background (STALE). */
        STALE_WHILE_REVALIDATE,
        /** Must be validated with the worker first (a validator: conditional request; else a plain one). */
        VALIDATE
    }

    private CachePolicy() {
    }

    /**
     * Null when the response to {@code request} may be stored (RFC 9111 section 3 and 3.5, with the Set-Cookie rule
     * of this cache: never unless {@code public}), else why not, in a few words (for logs and tests).
     */
    public static String whyNotStorable(CacheRequest request, ResponseFacts response) {
        if (!request.cacheableMethod()) {
            return "method is not GET"; // section 3: a method the cache understands
        }
        if (request.headMethod()) {
            return "response to HEAD"; // it has no content: the key's GET fills it
        }
        int status = response.status();
        if (status < 200) {
            return "status is not final"; // section 3
        }
        if (!understood(status)) {
            return "status " + status + " is not one this cache stores"; // section 3: 206, 304 and the others
        }
        if (response.cacheControlMalformed()) {
            return "malformed Cache-Control";
        }
        // section 5.2.2.3: must-understand with a status the cache implements overrides no-store
        if (response.noStore() && !response.mustUnderstand()) {
            return "no-store"; // section 5.2.2.5
        }
        if (request.noStore()) {
            return "request no-store"; // section 5.2.1.5
        }
        if (response.privateResponse()) {
            return "private"; // section 5.2.2.7
        }
        if (request.authorization() && !sharedReuseOfAuthorized(response)) {
            return "request has Authorization"; // section 3.5
        }
        if (response.setCookie() && !response.publicResponse()) {
            return "Set-Cookie without public";
        }
        if (response.vary().contains("*")) {
            return "Vary: *"; // section 4.1: it always fails to match
        }
        if (response.sMaxAge() < 0 && response.maxAge() < 0 && response.expires() < 0) {
            return "no explicit freshness"; // section 4.2.1: s-maxage, max-age or Expires
        }
        return null;
    }

    /**
     * Status codes this cache understands (section 3): RFC 9110 section 15.1's heuristically cacheable ones except
     * 206 (no range support: section 3.3), and the redirects 302 and 307 (cacheable with explicit freshness).
     */
    static boolean understood(int status) {
        switch (status) {
            case 200:
            case 203:
            case 204:
            case 300:
            case 301:
            case 302:
            case 307:
            case 308:
            case 404:
            case 405:
            case 410:
            case 414:
            case 501:
                return true;
            default:
                return false;
        }
    }

    /** Section 3.5: must-revalidate, public and s-maxage let a shared cache reuse a response to an authorized request. */
    private static boolean sharedReuseOfAuthorized(ResponseFacts response) {
        return response.publicResponse() || response.mustRevalidate() || response.sMaxAge() >= 0;
    }

    /** The freshness lifetime in seconds (section 4.2.1: s-maxage, max-age, Expires - Date); 0 when none. */
    public static long freshnessLifetime(ResponseFacts response) {
        return freshnessLifetime(response, -1);
    }

    /**
     * The freshness lifetime in seconds (section 4.2.1): s-maxage (a shared cache), else max-age, else Expires minus
     * Date, or minus {@code responseTime} when the response has no valid Date (RFC 9110 section 6.6.1); 0 when none.
     * Section 5.3: with max-age or s-maxage present, Expires is ignored.
     */
    public static long freshnessLifetime(ResponseFacts response, long responseTime) {
        if (response.sMaxAge() >= 0) {
            return response.sMaxAge();
        }
        if (response.maxAge() >= 0) {
            return response.maxAge();
        }
        long expires = response.expires();
        if (expires >= 0) {
            long date = response.date() >= 0 ? response.date() : responseTime;
            return date < 0 ? 0 : Math.max(0, expires - date);
        }
        return 0;
    }

    /**
     * The current age in seconds of a stored response (section 4.2.3).
     *
     * @param requestTime  epoch seconds when the request that fetched it was sent
     * @param responseTime epoch seconds when its response was received
     * @param now          epoch seconds
     */
    public static long currentAge(ResponseFacts response, long requestTime, long responseTime, long now) {
        long dateValue = response.date() >= 0 ? response.date() : responseTime;
        long apparentAge = Math.max(0, responseTime - dateValue);
        long responseDelay = Math.max(0, responseTime - requestTime);
        long correctedAgeValue = response.age() + responseDelay;
        long correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
        long residentTime = Math.max(0, now - responseTime); // a clock stepped back does not make it younger
        return correctedInitialAge + residentTime;
    }

    /** What {@code stored} may do for {@code request} at {@code now} (sections 4, 4.2.4, 5.2.1; RFC 5861). */
    public static Reuse reuse(CacheRequest request, StoredResponse stored, long now) {
        ResponseFacts response = stored.facts();
        if (response.noCache() || request.noCache()) {
            return Reuse.VALIDATE; // sections 5.2.2.4 and 5.2.1.4, 5.2.1.1 (max-age=0)
        }
        if (request.authorization() && !sharedReuseOfAuthorized(response)) {
            return Reuse.VALIDATE; // section 3.5
        }
        long lifetime = freshnessLifetime(response, stored.responseTime());
        long age = currentAge(response, stored.requestTime(), stored.responseTime(), now);
        long maxAge = request.maxAge();
        if (maxAge >= 0 && age > maxAge) {
            return Reuse.VALIDATE; // section 5.2.1.1
        }
        if (lifetime > age) { // section 4.2
            long minFresh = request.minFresh();
            return minFresh < 0 || lifetime - age >= minFresh ? Reuse.FRESH : Reuse.VALIDATE; // section 5.2.1.3
        }
        if (staleForbidden(response)) {
            return Reuse.VALIDATE;
        }
        long staleness = age - lifetime;
        if (request.maxStale() >= 0 && staleness <= request.maxStale()) {
            return Reuse.FRESH; // section 5.2.1.2: the client accepts it this stale
        }
        long whileRevalidate = response.staleWhileRevalidate();
        if (whileRevalidate >= 0 && staleness <= whileRevalidate) {
            return Reuse.STALE_WHILE_REVALIDATE; // RFC 5861 section 3
        }
        return Reuse.VALIDATE;
    }

    /**
     * Section 4.2.4: a stale response is never served when no-cache, must-revalidate (section 5.2.2.2),
     * proxy-revalidate (5.2.2.8) or s-maxage (5.2.2.10, which implies proxy-revalidate for a shared cache) says so,
     * whatever max-stale or RFC 5861 would allow.
     */
    private static boolean staleForbidden(ResponseFacts response) {
        return response.noCache() || response.mustRevalidate() || response.proxyRevalidate() || response.sMaxAge() >= 0;
    }

    /** Whether {@code stored} may answer instead of an error (5xx, or no worker) at {@code now} (RFC 5861 section 4). */
    public static boolean staleIfError(CacheRequest request, StoredResponse stored, long now) {
        ResponseFacts response = stored.facts();
        if (staleForbidden(response)) {
            return false;
        }
        if (request.authorization() && !sharedReuseOfAuthorized(response)) {
            return false; // section 3.5
        }
        long lifetime = freshnessLifetime(response, stored.responseTime());
        long age = currentAge(response, stored.requestTime(), stored.responseTime(), now);
        long staleness = Math.max(0, age - lifetime);
        // the response's stale-if-error, the request's own (its scope is that request), or the client's max-stale
        long allowed = Math.max(Math.max(response.staleIfError(), request.staleIfError()), request.maxStale());
        return allowed >= 0 && staleness <= allowed;
    }

    /** RFC 5861 section 4: an error is what would be answered 500, 502, 503 or 504. */
    public static boolean isError(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** Whether a response with {@code status} to an unsafe {@code request} invalidates (section 4.4: 2xx, 3xx). */
    public static boolean invalidates(CacheRequest request, int status) {
        return request.unsafeMethod() && status >= 200 && status < 400;
    }

    /**
     * The key a Location or Content-Location value {@code reference} of a response to {@code request} names, when
     * it is one of the same origin (section 4.4: never another origin's, against denial of service); else null. An
     * absolute URI, a network-path ({@code //host/p}), an absolute path or a relative path without dot segments
     * (resolved against the request's path, RFC 3986 section 5.2) qualify; anything else is null.
     */
    public static String invalidatedKey(CacheRequest request, String reference) {
        if (reference == null || reference.isEmpty()) {
            return null;
        }
        String key = request.key();
        int fieldsAt = key.indexOf('\n');
        // the request's keyed fields (a trusted proxy's X-Forwarded-Proto, ...) describe the referenced URI too
        String fields = fieldsAt < 0 ? "" : key.substring(fieldsAt);
        String base = fieldsAt < 0 ? key : key.substring(0, fieldsAt);
        int pathStart = base.indexOf('/', base.indexOf("://") + 3);
        String origin = base.substring(0, pathStart); // scheme://host
        String ref = reference;
        int hash = ref.indexOf('#');
        if (hash >= 0) {
            ref = ref.substring(0, hash);
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        String lower = ref.toLowerCase(Locale.ROOT);
        String candidate;
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int authorityEnd = endOfAuthority(ref, ref.indexOf("://") + 3);
            String path = ref.substring(authorityEnd);
            candidate = lower.substring(0, authorityEnd) + (path.startsWith("/") ? path : "/" + path);
        } else if (ref.startsWith("//")) {
            int authorityEnd = endOfAuthority(ref, 2);
            String path = ref.substring(authorityEnd);
            candidate = base.substring(0, base.indexOf("://") + 1) + lower.substring(0, authorityEnd)
                    + (path.startsWith("/") ? path : "/" + path);
        } else if (ref.startsWith("/")) {
            candidate = origin + ref;
        } else if (ref.indexOf(':') >= 0 && ref.indexOf(':') < firstOf(ref, "/?")) {
            return null; // another scheme
        } else {
            String basePath = base.substring(pathStart);
            int query = basePath.indexOf('?');
            String directoryPath = query >= 0 ? basePath.substring(0, query) : basePath;
            if (ref.startsWith("?")) {
                candidate = origin + directoryPath + ref;
            } else {
                candidate = origin + directoryPath.substring(0, directoryPath.lastIndexOf('/') + 1) + ref;
            }
        }
        int candidatePath = candidate.indexOf('/', candidate.indexOf("://") + 3);
        if (candidatePath < 0 || !candidate.substring(0, candidatePath).equals(origin)) {
            return null;
        }
        if (hasDotSegment(candidate.substring(candidatePath))) {
            return null;
        }
        return candidate + fields;
    }

    private static int endOfAuthority(String ref, int from) {
        int i = from;
        while (i < ref.length() && "/?".indexOf(ref.charAt(i)) < 0) {
            i++;
        }
        return i;
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static boolean hasDotSegment(String path) {
        int query = path.indexOf('?');
        String p = query >= 0 ? path.substring(0, query) : path;
        for (String segment : p.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code request} selects {@code stored} by its Vary header fields (section 4.1). */
    public static boolean varyMatches(CacheRequest request, StoredResponse stored) {
        List<String> names = stored.facts().vary();
        String[] values = stored.varyValues();
        int count = names.size();
        if (count == 0) {
            return true;
        }
        if (values == null || values.length != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            String name = names.get(i);
            if (name.equals("*") || !request.fieldMatches(name, values[i])) {
                return false; // section 4.1: "*" always fails to match
            }
        }
        return true;
    }
}
