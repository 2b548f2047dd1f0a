package io.jcluster.agent.http.h2;

import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * The last value of each {@link ResponseFieldNames#COMMON} field a connection sent, for its next responses: a value
 * equal to it (a server's content-type, server, date within its second, often content-length) is the same object
 * again, not a copy per response, and its hash is the one HPACK already computed. Per connection, not per stream
 * object: the connection's streams compare against values in use a moment ago (in cache), not what a stream object
 * kept from its last stream. Copies, never views of a head's bytes: HPACK's dynamic table keeps the values it indexes
 * (RFC 7541 section 2.3.2) while the head's buffer is reused for the next response. On the connection's event loop.
 */
final class CommonValues {

    private final AsciiString[] last = new AsciiString[ResponseFieldNames.COMMON.length];

    /** The value {@code bytes[start, start + length)} of common field {@code common}: the last one if equal. */
    AsciiString value(int common, byte[] bytes, int start, int length) {
        AsciiString value = last[common];
        if (value == null || !Arrays.equals(value.array(), value.arrayOffset(), value.arrayOffset() + value.length(),
                bytes, start, start + length)) {
            value = new AsciiString(bytes, start, length, true);
            last[common] = value;
        }
        return value;
    }
}
