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
        int count = head.count();
        for (int i = 0; i < count; i++) {
            switch (head.kind(i)) {
                case MessageHead.CONNECTION:
                    if (head.connectionNamesOthers()) {
                        dropNamedBy(head, i);
                    }
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

    /** Drops the headers the Connection line {@code connection} names (but Upgrade and Transfer-Encoding). */
    private static void dropNamedBy(MessageHead head, int connection) {
        var buf = head.buffer();
        int end = head.valueEnd(connection);
        int i = head.valueStart(connection);
        while (i < end) {
            int comma = buf.indexOf(i, end, (byte) ',');
            int tokenEnd = comma < 0 ? end : comma;
            int ts = i;
            int te = tokenEnd;
            while (ts < te && (buf.getByte(ts) == ' ' || buf.getByte(ts) == '\t')) {
                ts++;
            }
            while (te > ts && (buf.getByte(te - 1) == ' ' || buf.getByte(te - 1) == '\t')) {
                te--;
            }
            for (int line = 0; line < head.count() && te > ts; line++) {
                byte kind = head.kind(line);
                if (kind != MessageHead.UPGRADE && kind != MessageHead.TRANSFER_ENCODING && head.nameEquals(line, ts, te)) {
                    head.drop(line);
                }
            }
            i = tokenEnd + 1;
        }
    }
}
