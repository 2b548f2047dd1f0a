package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;

/**
 * The pool of an HTTP/2 client connection, which all its streams share: each stream's exchange opens and closes it
 * as if it were a connection of its own, but the pool belongs to the connection (a pool of its own closes what it
 * holds when the connection ends, not when a stream does).
 */
final class StreamSharedPool implements BackendConnectionPool {

    private final BackendConnectionPool connections;

    StreamSharedPool(BackendConnectionPool connections) {
        this.connections = connections;
    }

    @Override
    public Channel take(Backend backend) {
        return connections.take(backend);
    }

    @Override
    public boolean offer(Backend backend, Channel channel) {
        return connections.offer(backend, channel);
    }

    @Override
    public void remove(Backend backend, Channel channel) {
        connections.remove(backend, channel);
    }

    @Override
    public void clientOpened() {
        // a stream: the connection opened the pool
    }

    @Override
    public void clientClosed() {
        // a stream: the connection closes the pool
    }
}
