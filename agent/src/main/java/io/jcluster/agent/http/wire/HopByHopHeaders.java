package io.jcluster.agent.http.wire;

/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy does not pass them
 * on. They are marked as dropped in the scanned head, whose other lines then go on as they came.
 * Transfer-Encoding, Content-Length and Host stay even when Connection names them: the body is passed on in the
 * framing it came in, and the worker must frame it as jcluster did (see {@link MessageHead#dropNamedByConnection}).
 */
public final class HopByHopHeaders {

    private HopByHopHeaders() {
    }

    /**
     * @param upgrade keep Upgrade and HTTP2-Settings (a request asking to switch protocols, or the 101 that accepts
     *                it); the caller then adds Connection: upgrade
     */
    public static void drop(MessageHead head, boolean upgrade) {
        if (head.connectionNamesOthers()) {
            head.dropNamedByConnection();
        }
        int count = head.count();
        for (int i = 0; i < count; i++) {
            switch (head.kind(i)) {
                case MessageHead.CONNECTION:
                    head.drop(i);
                    break;
                case MessageHead.KEEP_ALIVE:
                case MessageHead.PROXY_CONNECTION:
                case MessageHead.TE:
                case MessageHead.TRAILER:
                    head.drop(i);
                    break;
                case MessageHead.UPGRADE:
                case MessageHead.HTTP2_SETTINGS: // RFC 7540 section 3.2.1: connection-specific
                    if (!upgrade) {
                        head.drop(i);
                    }
                    break;
                default:
                    break;
            }
        }
    }
}
