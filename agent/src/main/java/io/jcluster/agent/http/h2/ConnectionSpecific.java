package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.MessageHead;
import io.netty.util.AsciiString;

/**
 * The HTTP/1.1 fields that are connection-specific and never go into an HTTP/2 message (RFC 9113 section 8.2.2):
 * connection, keep-alive, proxy-connection, transfer-encoding, upgrade, te. One rule for a response's head (fields
 * the proxy's scanner has classified) and its trailers (fields by name).
 */
final class ConnectionSpecific {

    private static final AsciiString[] NAMES = {
            AsciiString.cached("connection"), AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"),
            AsciiString.cached("transfer-encoding"), AsciiString.cached("upgrade"), AsciiString.cached("te")};

    private ConnectionSpecific() {
    }

    /** A field of a scanned head, by its {@link MessageHead} kind. */
    static boolean kind(byte kind) {
        return kind == MessageHead.CONNECTION || kind == MessageHead.KEEP_ALIVE
                || kind == MessageHead.PROXY_CONNECTION || kind == MessageHead.TRANSFER_ENCODING
                || kind == MessageHead.UPGRADE || kind == MessageHead.TE;
    }

    /** A field by its lowercase name. */
    static boolean name(AsciiString lowercase) {
        for (AsciiString name : NAMES) {
            if (name.contentEquals(lowercase)) {
                return true;
            }
        }
        return false;
    }
}
