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
 */
public record HttpOptions(
        Duration headerTimeout,
        Duration idleTimeout,
        Duration responseTimeout,
        Duration bodyTimeout,
        Options.H2cUpgrade h2cUpgrade,
        String sticky,
        Path tlsCert,
        Path tlsKey,
        TrustedProxies trustedProxies) {

    /** Whether the parent terminates TLS ({@code tls-cert=} and {@code tls-key=}). */
    public boolean tls() {
        return tlsCert != null;
    }

    /** The same, with the TLS files that {@link OptionChecks} found readable. */
    HttpOptions withTls(Path cert, Path key) {
        return new HttpOptions(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, h2cUpgrade, sticky, cert, key,
                trustedProxies);
    }
}
