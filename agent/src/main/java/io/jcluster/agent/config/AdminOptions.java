package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Where the admin endpoint listens and where its token comes from; the token itself is settled by
 * {@link AdminToken#resolve} in the parent, since it may also come from the environment.
 *
 * @param address   null when the endpoint is off
 * @param token     {@code admin-token=}; null when not given
 * @param tokenFile {@code admin-token-file=}; null when not given
 */
public record AdminOptions(InetSocketAddress address, String token, Path tokenFile) {

    /** Whether the admin endpoint is on ({@code admin=}). */
    public boolean enabled() {
        return address != null;
    }

    /** The same, listening on the address {@link OptionChecks} resolved. */
    AdminOptions withAddress(InetSocketAddress resolved) {
        return new AdminOptions(resolved, token, tokenFile);
    }

    /**
     * {@code 9090} means 127.0.0.1:9090; {@code host:port} and {@code [v6]:port} name the host, resolved later by
     * {@link OptionChecks}; null for off. Anyone who reaches the endpoint can reload, scale and restart workers, so a
     * host other than loopback needs a token: the parent checks that once it knows the token ({@link AdminToken}),
     * since the token may come from its environment.
     */
    static InetSocketAddress parseAddress(String value) throws OptionException {
        if (value.equals("off")) {
            return null;
        }
        String host = "127.0.0.1";
        String port = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw OptionException.badValue(Option.ADMIN, value);
        }
        if (number < 1 || number > 65535 || host.isEmpty()) {
            throw OptionException.badValue(Option.ADMIN, value);
        }
        return InetSocketAddress.createUnresolved(host, number);
    }

    /** {@code 127.0.0.1:9090}, {@code [::1]:9090}: the address as an option value names it. */
    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
