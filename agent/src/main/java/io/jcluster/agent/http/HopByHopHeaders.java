package io.jcluster.agent.http;

/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy does not pass them
 * on. They are marked as dropped in the scanned head, whose other lines then go on as they came.
 * Transfer-Encoding stays: the body is passed on in the framing it came in.
 */
final class HopByHopHeaders {

    private HopByHopHeaders() {
    }

    /**
     * @param upgrade keep Upgrade (a request asking to switch protocols, or the 101 that accepts it); the caller
     *                then adds Connection: upgrade
     */
    static void drop(MessageHead head, boolean upgrade) {
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
