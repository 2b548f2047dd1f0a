package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options;
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

    /**
     * A SIGHUP changed run-time options (timeouts, and in http mode stickiness, trusted proxies, h2c-upgrade,
     * X-Cache): connections served from now on get them; open ones keep what they started with. Called on any thread.
     */
    default void reconfigure(Options options) {
    }

    /** The tcp byte relay, knowing no protocol (see {@link #tcp(java.time.Duration, RequestStart)}). */
    static Frontend tcp() {
        return TcpFrontend.PLAIN;
    }

    /**
     * The tcp byte relay; a connection quiet both ways for {@code idleTimeout} is closed (zero: never).
     *
     * @param requests tells a request's start in a client's bytes, so that a connection whose backend drains can
     *                 move to another backend between requests ({@link RequestStart#NONE}: it is closed when idle)
     */
    static Frontend tcp(java.time.Duration idleTimeout, RequestStart requests) {
        // its own instance, not the shared PLAIN one: a SIGHUP may set tcp-idle-timeout later (reconfigure)
        return new TcpFrontend(idleTimeout.toNanos(), requests);
    }
}
