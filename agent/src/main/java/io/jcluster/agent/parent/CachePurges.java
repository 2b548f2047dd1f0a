package io.jcluster.agent.parent;

import io.jcluster.agent.admin.CachePurgePath;
import io.jcluster.agent.cluster.ClusterHub;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.Log;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Purges of the response cache: here (the admin endpoint's {@code POST /cache/purge}) and, with a shared store
 * (store=redis), on every other host too: the purge travels over the store's messages on a topic only parents use
 * ({@link ClusterHub#CACHE_PURGE_TOPIC}), and each host's parent purges its own cache when it arrives. A message is
 * one byte ('=' exact path, '*' prefix) and the path in ASCII; one from another host is checked by the same rule as
 * the admin endpoint's, and dropped (logged) if it breaks it.
 */
final class CachePurges {

    private static final Log.RateLimited REFUSED = new Log.RateLimited(10, TimeUnit.SECONDS);

    private final ResponseCache cache;
    private final ClusterHub hub;
    private final boolean shared;

    /** @param shared whether other hosts share the store (their parents get the purges) */
    CachePurges(ResponseCache cache, ClusterHub hub, boolean shared) {
        this.cache = cache;
        this.hub = hub;
        this.shared = shared;
        if (shared) {
            hub.onCachePurge(this::received);
        }
    }

    /** Purges here, and tells the other hosts; how many responses went here. */
    int purge(String path, boolean prefix) {
        int purged = cache.purge(path, prefix);
        if (shared) {
            hub.publishCachePurge(encode(path, prefix));
        }
        return purged;
    }

    void received(byte[] message) {
        String path = message.length < 2 ? null : new String(message, 1, message.length - 1, StandardCharsets.US_ASCII);
        boolean prefix = message.length > 0 && message[0] == '*';
        if (path == null || !(prefix || message[0] == '=') || !CachePurgePath.valid(path)) {
            REFUSED.info("a cache purge from another host was not one (" + message.length + " bytes); ignored");
            return;
        }
        int purged = cache.purge(path, prefix);
        Log.info("cache purge from another host: " + purged + " response(s) whose path "
                + (prefix ? "starts with " : "is ") + path);
    }

    static byte[] encode(String path, boolean prefix) {
        byte[] ascii = path.getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[ascii.length + 1];
        message[0] = (byte) (prefix ? '*' : '=');
        System.arraycopy(ascii, 0, message, 1, ascii.length);
        return message;
    }
}
