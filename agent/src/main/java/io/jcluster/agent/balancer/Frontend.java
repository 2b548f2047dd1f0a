package io.jcluster.agent.balancer;

import io.netty.channel.Channel;

/**
 * What the balancer speaks to clients: tcp (a byte relay per connection) or http (a proxy per request, in
 * http/). The listener accepts and admits connections; the frontend does everything after that.
 */
public interface Frontend {

    /** For the startup line: "tcp", "http" or "https". */
    String name();

    /** Serves an admitted client connection; called on the connection's event loop, reads are off. */
    void serve(Channel client, Upstream upstream);

    /**
     * Turns a client away because the listener is at max-connections and its queue is full or the wait ended:
     * tcp closes, http answers 503 first. Called on the connection's event loop.
     */
    void reject(Channel client, Upstream upstream, String why);

    /** The tcp byte relay. */
    static Frontend tcp() {
        return TcpFrontend.INSTANCE;
    }

    /** The tcp byte relay; a connection quiet both ways for {@code idleTimeout} is closed (zero: never). */
    static Frontend tcp(java.time.Duration idleTimeout) {
        return idleTimeout.isZero() ? TcpFrontend.INSTANCE : new TcpFrontend(idleTimeout.toNanos());
    }
}
