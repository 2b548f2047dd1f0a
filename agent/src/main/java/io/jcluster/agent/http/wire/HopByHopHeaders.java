package io.jcluster.agent.http.wire;

/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy does not pass them
 * on. They are marked as dropped in the scanned head, whose other lines then go on as they came.
 */
public final class HopByHopHeaders {

    /**
     * Kinds that a Connection header cannot make hop-by-hop: Content-Length, Transfer-Encoding and Host go on
     * exactly as jcluster read them (else a worker would frame the body differently: RFC 9112 section 6.3, request
     * smuggling), and Upgrade and HTTP2-Settings are the caller's decision.
     */
    private static final boolean[] PROTECTED = new boolean[HeaderNames.KINDS];

    static {
        PROTECTED[MessageHead.CONTENT_LENGTH] = true;
        PROTECTED[MessageHead.TRANSFER_ENCODING] = true;
        PROTECTED[MessageHead.HOST] = true;
        PROTECTED[MessageHead.UPGRADE] = true;
        PROTECTED[MessageHead.HTTP2_SETTINGS] = true;
    }

    private HopByHopHeaders() {
    }

    /**
     * @param upgrade keep Upgrade and HTTP2-Settings (a request asking to switch protocols, or the 101 that accepts
     *                it); the caller then adds Connection: upgrade
     */
    public static void drop(MessageHead head, boolean upgrade) {
        if (head.connectionNamesOthers()) {
            dropNamedByConnection(head);
        }
        HeaderLines lines = head.lines;
        int count = lines.count();
        for (int i = 0; i < count; i++) {
            switch (lines.kind(i)) {
                case MessageHead.CONNECTION:
                case MessageHead.KEEP_ALIVE:
                case MessageHead.PROXY_CONNECTION:
                case MessageHead.TE:
                case MessageHead.TRAILER:
                    lines.drop(i);
                    break;
                case MessageHead.UPGRADE:
                case MessageHead.HTTP2_SETTINGS: // RFC 7540 section 3.2.1: connection-specific
                    if (!upgrade) {
                        lines.drop(i);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    /** Drops the headers that Connection lines name (RFC 9110 section 7.6.1), but never the {@link #PROTECTED} ones. */
    static void dropNamedByConnection(MessageHead head) {
        HeaderLines lines = head.lines;
        int count = lines.count();
        for (int c = 0; c < count; c++) {
            if (lines.kind(c) != MessageHead.CONNECTION) {
                continue;
            }
            CommaList names = head.list.over(lines.bytes, lines.valueStart(c), lines.valueEnd(c));
            while (names.next()) {
                for (int line = 0; line < count && !names.isEmpty(); line++) {
                    if (!PROTECTED[lines.kind(line)] && lines.nameEquals(line, names.start(), names.end())) {
                        lines.drop(line);
                    }
                }
            }
        }
    }
}
