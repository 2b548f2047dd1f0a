package io.jcluster.agent.http.proxy;

import java.util.Locale;

/**
 * The cache keys a successful unsafe request invalidates besides its own (RFC 9111 section 4.4): its response's
 * Location and Content-Location, only when they name the same origin (else a response could wipe another site's
 * entries: "a cache MUST NOT invalidate a URI from a Location or Content-Location ... if the host part ... differs").
 */
final class InvalidatedKeys {

    private InvalidatedKeys() {
    }

    /**
     * @param requestKey the request's key, {@code scheme://host/target}
     * @param reference  a Location or Content-Location value (absolute, or a path), or null
     * @return the key {@code reference} names on the request's origin, or null when it names another or none
     */
    static String sameOrigin(String requestKey, String reference) {
        if (reference == null || reference.isEmpty()) {
            return null;
        }
        int authority = requestKey.indexOf("://");
        if (authority < 0) {
            return null;
        }
        int path = requestKey.indexOf('/', authority + 3);
        String origin = path < 0 ? requestKey : requestKey.substring(0, path);
        if (reference.startsWith("/") && !reference.startsWith("//")) {
            return origin + reference;
        }
        if (reference.length() > origin.length() && reference.charAt(origin.length()) == '/'
                && reference.substring(0, origin.length()).toLowerCase(Locale.ROOT).equals(origin)) {
            return origin + reference.substring(origin.length());
        }
        return null;
    }
}
