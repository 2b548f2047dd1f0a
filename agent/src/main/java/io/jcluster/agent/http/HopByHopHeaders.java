package io.jcluster.agent.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;

/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy removes them before
 * passing a message on. Transfer-Encoding stays: the codec re-frames the body by it.
 */
final class HopByHopHeaders {

    private HopByHopHeaders() {
    }

    /**
     * @param upgrade keep Upgrade and say Connection: upgrade (a request asking to switch protocols, or the
     *                101 that accepts it)
     */
    static void strip(HttpHeaders headers, boolean upgrade) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String named = token.trim();
                if (!named.isEmpty() && !named.equalsIgnoreCase("upgrade")
                        && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(named)) {
                    headers.remove(named);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
