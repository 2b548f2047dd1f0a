package io.jcluster.agent.http.cache;

/** The path inside a cache key (scheme://host/path?query, then its keyed fields), which a purge names. */
final class KeyPath {

    private KeyPath() {
    }

    /** Whether the path of {@code key} is {@code path}, or starts with it when {@code prefix}. */
    static boolean matches(String key, String path, boolean prefix) {
        int scheme = key.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        // the authority ends at the first '/' or '?' (RFC 3986 section 3.2): the path starts there, if at a '/'
        while (start < key.length() && key.charAt(start) != '/' && key.charAt(start) != '?') {
            start++;
        }
        if (start == key.length() || key.charAt(start) != '/') {
            return false;
        }
        int fields = key.indexOf('\n', start); // the keyed fields (CacheRequest#key) follow the target
        int targetEnd = fields < 0 ? key.length() : fields;
        int query = key.indexOf('?', start);
        int end = query < 0 || query > targetEnd ? targetEnd : query;
        int length = end - start;
        if (prefix) {
            return length >= path.length() && key.startsWith(path, start);
        }
        return length == path.length() && key.startsWith(path, start);
    }
}
