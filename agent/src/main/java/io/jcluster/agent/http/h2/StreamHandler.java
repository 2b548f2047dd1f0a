package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;

/**
 * What serves the requests of {@link H2Stream}s (the http mode's per-request proxy): each stream's request comes
 * as the bytes of one HTTP/1.1 request, and the response goes back as HTTP/1.1 bytes through the stream. One
 * handler per {@link H2Stream} object, kept with it when the object serves the connection's next stream.
 */
public interface StreamHandler {

    /** A stream began: {@code head} (ownership passes) is its request head, and its body if one came with it. */
    void started(ByteBuf head);

    /** More of the request (its body as HTTP/1.1 framing has it); ownership passes. Only after a read(). */
    void requestBytes(ByteBuf bytes);

    /** The end of a batch of {@link #started}/{@link #requestBytes}. */
    void readComplete();

    /** The stream's writability changed (its flow-control window, or the connection's). */
    void writabilityChanged();

    /**
     * The stream is over (ended, reset by either side, or its connection closed); called once per stream, never
     * inside a call the handler made. Then the handler may get {@link #started} again, for another stream.
     */
    void ended();

    /** The connection ended: the handler serves no more streams (it may let go of what it kept for them). */
    void discarded();
}
