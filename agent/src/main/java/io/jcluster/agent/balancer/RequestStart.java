package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;

/**
 * Whether a client's bytes begin a request of a protocol whose connections may move to another backend between
 * requests (HTTP/1's request line, for one). The tcp relay knows no protocol: the wiring gives it this test. A
 * connection whose first bytes begin a request is taken for such a protocol: while its backend drains, it moves to
 * another backend at its next request instead of being closed when it sits idle.
 */
@FunctionalInterface
public interface RequestStart {

    /** No protocol is known: every connection is a plain byte stream. */
    RequestStart NONE = bytes -> false;

    /** Whether {@code bytes} begin a request; reads from the reader index without moving it. */
    boolean startsRequest(ByteBuf bytes);
}
