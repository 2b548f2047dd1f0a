package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The pool of an HTTP/2 client connection, which all its streams share. Each stream's exchange opens and closes it
 * as if it were a connection of its own; the pool belongs to the connection.
 *
 * <p>Where backend connections name their client ({@link BackendConnectionPool#forClient}), the connection's own
 * idle backend connections are kept here: as many per worker as streams may be open at once (a client connection
 * over HTTP/1.1 uses one at a time, so {@link ClientConnectionPool} keeps one; concurrent streams need as many), all
 * closed when the client connection ends. Otherwise the event loop's shared pool serves.
 */
final class StreamSharedPool implements BackendConnectionPool {

    /** The loop's pool; null: this connection's own ({@code idle}). */
    private final BackendConnectionPool shared;
    private final Map<Backend, ArrayDeque<Channel>> idle;
    private final int maxIdlePerWorker;

    private StreamSharedPool(BackendConnectionPool shared, int maxIdlePerWorker) {
        this.shared = shared;
        this.idle = shared == null ? new IdentityHashMap<>() : null;
        this.maxIdlePerWorker = maxIdlePerWorker;
    }

    /**
     * For a new HTTP/2 client connection; call on its event loop.
     *
     * @param maxIdlePerWorker the connection's max-concurrent-streams
     */
    static StreamSharedPool forConnection(boolean perClientConnection, int maxIdlePerWorker) {
        return new StreamSharedPool(perClientConnection ? null : LoopSharedPool.ofThisLoop(), maxIdlePerWorker);
    }

    @Override
    public Channel take(Backend backend) {
        if (shared != null) {
            return shared.take(backend);
        }
        ArrayDeque<Channel> channels = idle.get(backend);
        while (channels != null && !channels.isEmpty()) {
            Channel channel = channels.pollLast();
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    @Override
    public boolean offer(Backend backend, Channel channel) {
        if (shared != null) {
            return shared.offer(backend, channel);
        }
        ArrayDeque<Channel> channels = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (channels.size() >= maxIdlePerWorker) {
            return false;
        }
        channels.addLast(channel);
        return true;
    }

    @Override
    public void remove(Backend backend, Channel channel) {
        if (shared != null) {
            shared.remove(backend, channel);
            return;
        }
        ArrayDeque<Channel> channels = idle.get(backend);
        if (channels != null && channels.remove(channel) && channels.isEmpty()) {
            idle.remove(backend);
        }
    }

    @Override
    public void clientOpened() {
        // a stream: the connection opened the pool (connectionOpened)
    }

    @Override
    public void clientClosed() {
        // a stream: the connection closes the pool (connectionClosed)
    }

    /** The HTTP/2 connection began. */
    void connectionOpened() {
        if (shared != null) {
            shared.clientOpened();
        }
    }

    /** The HTTP/2 connection ended: its own idle backend connections are closed. */
    void connectionClosed() {
        if (shared != null) {
            shared.clientClosed();
            return;
        }
        for (ArrayDeque<Channel> channels : idle.values()) {
            for (Channel channel : channels) {
                channel.close();
            }
        }
        idle.clear();
    }

    /** Idle connections held to {@code backend} now (tests). */
    int idle(Backend backend) {
        if (shared != null) {
            return -1;
        }
        ArrayDeque<Channel> channels = idle.get(backend);
        return channels == null ? 0 : channels.size();
    }
}
