package io.jcluster.agent.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;

/**
 * {@code POST /cache/purge?path=/x} (or {@code prefix=/x/}), the same on the agent's admin endpoint and the
 * standalone balancer's: one path checked by {@link CachePurgePath}, then the purge.
 */
final class CachePurgeRequest {

    /** Forgets the cached responses of {@code path} (or of every path it starts when {@code prefix}). */
    interface Purge {
        /** How many went, or -1 when there is no response cache. */
        int purge(String path, boolean prefix);
    }

    private CachePurgeRequest() {
    }

    /** @param enable how to turn the cache on, for the 404 without one (e.g. "cache=SIZE") */
    static AdminAnswer answer(QueryStringDecoder query, Purge purge, String enable) {
        String path = parameter(query, "path");
        String prefix = parameter(query, "prefix");
        String target = path != null ? path : prefix;
        if ((path == null) == (prefix == null) || !CachePurgePath.valid(target)) {
            return AdminAnswer.text(HttpResponseStatus.BAD_REQUEST, "expected /cache/purge?path=/x or"
                    + " /cache/purge?prefix=/x/ with one path that starts with '/', of visible ASCII characters without"
                    + " '?' or '#', at most " + CachePurgePath.MAX_LENGTH + " of them, as clients send it"
                    + " (percent-encoding included: write %25 for each %)\n");
        }
        int purged = purge.purge(target, prefix != null);
        if (purged < 0) {
            return AdminAnswer.text(HttpResponseStatus.NOT_FOUND, "no response cache: start " + enable + "\n");
        }
        return AdminAnswer.text(HttpResponseStatus.OK, "purged " + purged + " cached response(s) whose path "
                + (prefix != null ? "starts with " : "is ") + target + "\n");
    }

    static String parameter(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
