package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;

/**
 * What the cache needs of one request: its method, the key of its target, its Cache-Control/Pragma directives
 * (RFC 9111 section 5.2.1) and whether it carries Authorization (section 3.5). One instance per client connection,
 * {@link #read} again for each request: the hit path allocates nothing but the key text.
 */
public final class CacheRequest {

    /**
     * Reads the request head (before the proxy drops its hop-by-hop lines).
     *
     * @param secure whether the client came over TLS: the scheme is part of the key
     */
    public void read(MessageHead head, boolean secure) {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** GET or HEAD: a method whose response a cache may reuse (RFC 9111 section 2 with RFC 9110 9.2.3). */
    public boolean cacheableMethod() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** POST, PUT, PATCH, DELETE, or any method not known safe: its success invalidates (RFC 9111 section 4.4). */
    public boolean unsafeMethod() {
        throw new UnsupportedOperationException("cache-rules");
    }

    public boolean headMethod() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** The primary key: scheme, host (lower case) and the request target as sent, e.g. {@code http://a.example/x?y}. */
    public String key() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** The value of request header {@code name} (case-insensitive), the field lines joined by ", "; null if absent. */
    public String header(String name) {
        throw new UnsupportedOperationException("cache-rules");
    }

    public boolean authorization() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** no-cache, or Pragma: no-cache without Cache-Control, or max-age=0: a stored response must be validated first. */
    public boolean noCache() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** no-store (section 5.2.1.5): the response to this request is not stored. */
    public boolean noStore() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** max-age=N in seconds, or -1. */
    public long maxAge() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** max-stale[=N]: Long.MAX_VALUE without a value, -1 when absent. */
    public long maxStale() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** min-fresh=N, or -1. */
    public long minFresh() {
        throw new UnsupportedOperationException("cache-rules");
    }

    /** only-if-cached: answer 504 rather than ask a worker (section 5.2.1.7). */
    public boolean onlyIfCached() {
        throw new UnsupportedOperationException("cache-rules");
    }
}
