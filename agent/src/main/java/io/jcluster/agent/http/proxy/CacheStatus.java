package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;

/** What the response cache did for a request, as the X-Cache line says it ({@code cache-status-header=on}). */
enum CacheStatus {
    /** Answered from a fresh stored response (or the one a concurrent request just stored). */
    HIT,
    /** Asked a worker; its response may have been stored. */
    MISS,
    /** Answered from a stale stored response: while it is revalidated, or instead of an error (RFC 5861). */
    STALE,
    /** The worker confirmed the stored response with a 304, which was answered from it. */
    REVALIDATED,
    /** Not a request the cache answers (method, Authorization, a body, an upgrade): passed to a worker. */
    BYPASS;

    /** {@code x-cache: NAME} and its CRLF. */
    final byte[] line = HeadWriter.ascii("x-cache: " + name() + "\r\n");
}
