package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;

/**
 * What serves the requests of {@link H2Stream}s (the http mode's per-request proxy): each stream's request comes
 * as the bytes of one HTTP/1.1 request, and the response goes back as HTTP/1.1 bytes through the stream. One
 * handler per {@link H2Stream} object, kept with it when the object serves the connection's next stream.
 */
public interface StreamHandler {

    /**
     * Where a stream's request head is written ({@link RequestHead#fill}) before {@link #started}: the head the
     * handler reads its requests from, so that the fields go through the HTTP/1.1 rules once and are not written as
     * bytes to be scanned again.
     */
    MessageHead requestHead();

    /**
     * A stream began: its request head is in {@link #requestHead()}, filled with the outcome {@code outcome}
     * ({@link RequestHead#READY}, or {@link RequestHead#REFUSED}: the head breaks a rule, which the handler answers).
     */
    void started(int outcome);

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
