/**
 * The data plane's core: Netty listeners, backends and their selection strategies, the connection cap and queue,
 * the transports (io_uring, epoll, NIO) and the tcp byte relay with its back-pressure. It knows backends, not processes,
 * and no HTTP: http mode is one frontend it is given, and where the tcp relay must know where a request starts it asks a
 * {@link io.jcluster.agent.balancer.RequestStart} the wiring supplies. The hot path allocates nothing per request.
 */
package io.jcluster.agent.balancer;
