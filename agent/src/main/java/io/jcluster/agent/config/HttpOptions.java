package io.jcluster.agent.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What http mode needs besides the balancer's options: its timeouts, what it does with h2c upgrades, stickiness,
 * TLS, and whose forwarding headers it keeps. The http frontend turns them into its runtime settings (with the TLS
 * context loaded from the files).
 *
 * @param sticky         {@link Options#NOT_STICKY}, {@code cookie}, or the name of the app's session cookie
 * @param tlsCert        an absolute path, null for plain http
 * @param tlsKey         null exactly when {@code tlsCert} is
 * @param trustedProxies {@link TrustedProxies#NONE} when none is
 * @param cache          {@code cache=}: the response cache's size in bytes, 0 when off
 * @param cacheMaxObject {@code cache-max-object=}: the largest body stored, at most {@code cache}
 * @param cacheStatusHeader {@code cache-status-header=on}: responses carry X-Cache
 * @param http2          {@code http2=}: HTTP/2 to clients (ALPN h2 with TLS; h2c with prior knowledge when on)
 * @param maxConcurrentStreams {@code max-concurrent-streams=}: streams one HTTP/2 connection may have open at once
 * @param tlsProvider    {@code tls-provider=}: who does the TLS work (with {@code tlsCert})
 */
public record HttpOptions(
        Duration headerTimeout,
        Duration idleTimeout,
        Duration responseTimeout,
        Duration bodyTimeout,
        Duration sendTimeout,
        Options.H2cUpgrade h2cUpgrade,
        String sticky,
        Path tlsCert,
        Path tlsKey,
        TrustedProxies trustedProxies,
        long cache,
        long cacheMaxObject,
        boolean cacheStatusHeader,
        Options.Http2 http2,
        int maxConcurrentStreams,
        Options.TlsProvider tlsProvider) {

    /** Whether the parent terminates TLS ({@code tls-cert=} and {@code tls-key=}). */
    public boolean tls() {
        return tlsCert != null;
    }

    /** Whether the response cache is on ({@code cache=SIZE}). */
    public boolean cacheOn() {
        return cache > 0;
    }

    /** The same, with the TLS files that {@link OptionChecks} found readable. */
    HttpOptions withTls(Path cert, Path key) {
        return new HttpOptions(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, h2cUpgrade, sticky, cert, key,
                trustedProxies, cache, cacheMaxObject, cacheStatusHeader, http2, maxConcurrentStreams,
                tlsProvider);
    }
}
