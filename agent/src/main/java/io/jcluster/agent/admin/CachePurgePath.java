package io.jcluster.agent.admin;

/**
 * What {@code POST /cache/purge} takes as a path (or prefix): an origin-form path as clients send it (RFC 9112
 * section 3.2.1: starts with '/'), visible ASCII only, no query or fragment (the purge covers every query), bounded.
 * The same rule checks a purge that arrives from another host.
 */
public final class CachePurgePath {

    /** The request line is at most 2 KiB: a longer path could not have come through it anyway. */
    public static final int MAX_LENGTH = 2048;

    private CachePurgePath() {
    }

    public static boolean valid(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_LENGTH || path.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#') {
                return false;
            }
        }
        return true;
    }
}
