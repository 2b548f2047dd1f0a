package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;

/**
 * How a response body goes to the client, chosen per response by its framing and the client's version:
 * {@link PassThroughRelay} (as it came: content-length, chunked to HTTP/1.1, none, or ended by closing to
 * HTTP/1.0), {@link RechunkingRelay} (ended by closing, to an HTTP/1.1 client that keeps its connection) and
 * {@link DechunkingRelay} (chunked, to an HTTP/1.0 client). Stateless: the exchange holds the state.
 */
interface BodyRelay {

    /** The body is cut or malformed: the client connection is closed (its client must not take it for whole). */
    int CUT = -1;
    /** The bytes ended where the body ends, or before. */
    int WHOLE = 0;
    /** Bytes came after the end of the body: the worker is out of step, its connection is not reused. */
    int LEFTOVER = 1;

    /**
     * Passes on the body bytes in {@code data} from its reader index (released or handed on here), counting them.
     *
     * @param sliceFrom where the bytes to pass on start when before the reader index (a head passed on as it
     *                  came), else -1
     * @return {@link #CUT}, {@link #WHOLE} or {@link #LEFTOVER}
     */
    int relay(Exchange exchange, ByteBuf data, int sliceFrom);

    /** The worker ended a body delimited by closing. */
    default void endedByClose(Exchange exchange) {
    }
}
