package io.jcluster.agent.http.h2;

import java.time.Duration;

/**
 * What one HTTP/2 client connection may ask of the parent: each bound is enforced by Netty's codec, set here.
 *
 * @param maxConcurrentStreams {@code max-concurrent-streams=}: streams open at once (SETTINGS_MAX_CONCURRENT_STREAMS);
 *                             one more is refused with RST_STREAM(REFUSED_STREAM)
 * @param maxHeaderListSize    the decoded size of a request's header list (SETTINGS_MAX_HEADER_LIST_SIZE): larger
 *                             resets the stream, and a quarter more ends the connection whatever its HPACK encoding
 *                             (an HPACK bomb decodes past it) or its number of CONTINUATION frames
 * @param idleTimeout          a connection without an open stream for this long is closed (GOAWAY)
 * @param gracefulStop         on graceful stop: how long streams in progress may take after the GOAWAY
 */
public record H2Limits(int maxConcurrentStreams, int maxHeaderListSize, Duration idleTimeout, Duration gracefulStop) {

    /**
     * Per-stream receive window, the HTTP/2 default: a stream's request body the parent holds before its worker
     * takes it is at most this much.
     */
    static final int STREAM_WINDOW = 65_535;
    /**
     * Resets a client may send per {@link #RST_WINDOW_SECONDS} before the connection is closed (the rapid reset
     * attack, CVE-2023-44487: each opens a stream, costs the server work and frees the slot at once).
     */
    static final int MAX_RESETS = 200;
    static final int RST_WINDOW_SECONDS = 30;
    /**
     * Control frames the parent owes answers to (SETTINGS and PING acks, resets) but cannot send because the client
     * does not read: past this the connection is closed (SETTINGS / PING floods, CVE-2019-9512/9515).
     */
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** CONTINUATION frames with almost nothing in them, in a row, before the connection is closed. */
    static final int MAX_SMALL_CONTINUATIONS = 16;

    /**
     * The connection's receive window: one full window per stream, so that a stream whose worker reads slowly never
     * holds back the other streams' request bodies; the memory held per connection is bounded by it.
     */
    int connectionWindow() {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxConcurrentStreams * STREAM_WINDOW);
    }
}
