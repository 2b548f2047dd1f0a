package io.jcluster.agent.http.cache;

/**
 * RFC 9111's rules for a shared cache, as pure functions, each citing its section: whether a response may be stored,
 * how long it is fresh, how old a stored one is, whether a stored one may answer a request (fresh, stale while
 * revalidating, stale on error, or must be validated), and what a response to an unsafe request invalidates.
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
        throw new UnsupportedOperationException("cache-rules");
    }

    /** The freshness lifetime in seconds (section 4.2.1: s-maxage, max-age, Expires - Date); 0 when none. */
    public static long freshnessLifetime(ResponseFacts response) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /**
     * The current age in seconds of a stored response (section 4.2.3).
     *
     * @param requestTime  epoch seconds when the request that fetched it was sent
     * @param responseTime epoch seconds when its response was received
     * @param now          epoch seconds
     */
    public static long currentAge(ResponseFacts response, long requestTime, long responseTime, long now) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** What {@code stored} may do for {@code request} at {@code now} (sections 4, 4.2.4, 5.2.1; RFC 5861). */
    public static Reuse reuse(CacheRequest request, StoredResponse stored, long now) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** Whether {@code stored} may answer instead of an error (5xx, or no worker) at {@code now} (RFC 5861 section 4). */
    public static boolean staleIfError(CacheRequest request, StoredResponse stored, long now) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** Whether a response with {@code status} to an unsafe {@code request} invalidates (section 4.4: 2xx, 3xx). */
    public static boolean invalidates(CacheRequest request, int status) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** Whether {@code request} selects {@code stored} by its Vary header fields (section 4.1). */
    public static boolean varyMatches(CacheRequest request, StoredResponse stored) {
        throw new UnsupportedOperationException("cache-rules");
    }
}
