package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;

import java.util.List;

/**
 * What the cache needs of one response head: status, Cache-Control directives (RFC 9111 section 5.2.2), Expires,
 * Date, Age, Vary, the validators (ETag, Last-Modified), Set-Cookie, Location and Content-Location. Read once per
 * response that might be stored; times in epoch seconds (HTTP-dates have seconds), -1 when absent or invalid.
 */
public final class ResponseFacts {

    /** Reads a final response head (status 200..599) as the worker sent it. */
    public static ResponseFacts read(MessageHead head) {
        throw new UnsupportedOperationException("cache-rules");
    }

    public int status() { throw new UnsupportedOperationException("cache-rules"); }
    public boolean noStore() { throw new UnsupportedOperationException("cache-rules"); }
    /** no-cache without field names: store, but validate before each reuse (section 5.2.2.4). */
    public boolean noCache() { throw new UnsupportedOperationException("cache-rules"); }
    /** private (without field names): a shared cache does not store it (section 5.2.2.7). */
    public boolean privateResponse() { throw new UnsupportedOperationException("cache-rules"); }
    public boolean publicResponse() { throw new UnsupportedOperationException("cache-rules"); }
    public boolean mustRevalidate() { throw new UnsupportedOperationException("cache-rules"); }
    public boolean proxyRevalidate() { throw new UnsupportedOperationException("cache-rules"); }
    /** s-maxage=N, or -1. */
    public long sMaxAge() { throw new UnsupportedOperationException("cache-rules"); }
    public long maxAge() { throw new UnsupportedOperationException("cache-rules"); }
    /** stale-while-revalidate=N (RFC 5861 section 3), or -1. */
    public long staleWhileRevalidate() { throw new UnsupportedOperationException("cache-rules"); }
    /** stale-if-error=N (RFC 5861 section 4), or -1. */
    public long staleIfError() { throw new UnsupportedOperationException("cache-rules"); }
    public long expires() { throw new UnsupportedOperationException("cache-rules"); }
    public long date() { throw new UnsupportedOperationException("cache-rules"); }
    /** The Age header in seconds, or 0. */
    public long age() { throw new UnsupportedOperationException("cache-rules"); }
    public long lastModified() { throw new UnsupportedOperationException("cache-rules"); }
    /** The ETag as sent (with quotes and W/), or null. */
    public String etag() { throw new UnsupportedOperationException("cache-rules"); }
    /** The request header names Vary lists, lower case; ["*"] for Vary: *; empty without Vary. */
    public List<String> vary() { throw new UnsupportedOperationException("cache-rules"); }
    public boolean setCookie() { throw new UnsupportedOperationException("cache-rules"); }
    /** Location and Content-Location values, or null (section 4.4). */
    public String location() { throw new UnsupportedOperationException("cache-rules"); }
    public String contentLocation() { throw new UnsupportedOperationException("cache-rules"); }
}
