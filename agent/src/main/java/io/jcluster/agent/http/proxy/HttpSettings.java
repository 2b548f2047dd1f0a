package io.jcluster.agent.http.proxy;

import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;
import io.netty.handler.ssl.SslContext;

import java.time.Duration;

/**
 * How the http frontend behaves; built once at startup from the options.
 *
 * @param passH2c        h2c-upgrade=pass: a request to upgrade to h2c goes to the worker as it came
 * @param tls            null for plain http
 * @param trustedProxies the peers whose forwarding headers are kept (see ForwardedHeaders)
 * @param poolPerClient  whether a backend connection carries the requests of one client connection only (the
 *                       workers learn the client's address per connection: see {@link BackendConnectionPool})
 * @param cache          the balancer's response cache ({@code cache=}), shared by its event loops; null when off
 * @param cacheStatusHeader {@code cache-status-header=on}: responses say X-Cache
 * @param accessLog      {@code access-log=}: where each request is logged; null when off
 */
public record HttpSettings(Duration headerTimeout, Duration idleTimeout, Duration responseTimeout, Duration bodyTimeout,
                    Duration sendTimeout,
                    Duration queueTimeout, boolean passH2c, Stickiness stickiness, SslContext tls,
                    TrustedProxies trustedProxies, boolean poolPerClient, ResponseCache cache,
                    boolean cacheStatusHeader, AccessLog accessLog) {

    /** Without a response cache. */
    public HttpSettings(Duration headerTimeout, Duration idleTimeout, Duration responseTimeout, Duration bodyTimeout,
                        Duration sendTimeout, Duration queueTimeout, boolean passH2c, Stickiness stickiness, SslContext tls,
                        TrustedProxies trustedProxies, boolean poolPerClient) {
        this(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, queueTimeout, passH2c, stickiness, tls,
                trustedProxies, poolPerClient, null, false, null);
    }

    /** The same settings with {@code cache} (tests). */
    HttpSettings withCache(ResponseCache cache, boolean statusHeader) {
        return new HttpSettings(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, queueTimeout, passH2c,
                stickiness, tls, trustedProxies, poolPerClient, cache, statusHeader, accessLog);
    }

    /** The same settings with {@code accessLog} (tests). */
    HttpSettings withAccessLog(AccessLog log) {
        return new HttpSettings(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, queueTimeout, passH2c,
                stickiness, tls, trustedProxies, poolPerClient, cache, cacheStatusHeader, log);
    }

    /** Longest request line (method, URI, version) accepted; longer gets 414. */
    public static final int MAX_REQUEST_LINE = 8 * 1024;
    /** Largest request header block accepted; larger gets 431. */
    public static final int MAX_REQUEST_HEADERS = 16 * 1024;
    /** Workers' response headers may carry many cookies: more room than for requests. */
    public static final int MAX_RESPONSE_HEADERS = 64 * 1024;
    /** Largest body piece passed on at once: fewer, larger writes for big bodies. */
    static final int MAX_CHUNK = 64 * 1024;
    /**
     * Idle keep-alive connections kept per worker and event loop at least; up to as many as the loop has client
     * connections (see LoopSharedPool). More are closed when they come back.
     */
    static final int MAX_IDLE_PER_WORKER = 256;

    boolean secure() {
        return tls != null;
    }
}
