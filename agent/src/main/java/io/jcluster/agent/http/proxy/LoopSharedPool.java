package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The pool for backends that never learn who the client is (the standalone balancer without proxy-protocol): idle
 * keep-alive connections to the workers, shared by every client connection of an event loop (a backend connection
 * lives on the loop of the client that opened it, so the pool needs no lock). One instance per event loop
 * ({@link #ofThisLoop}); tests make their own. Most recently used first: the connection least likely to have been
 * closed by the worker's own idle timeout.
 *
 * <p>Sized to the concurrency: a client connection uses one backend connection at a time, so a loop never needs
 * more idle connections to a worker than it has client connections. A smaller cap makes a busy loop close
 * connections only to open new ones a moment later (reconnect churn costs both sides far more than an idle
 * socket).
 */
final class LoopSharedPool implements BackendConnectionPool {

    private static final FastThreadLocal<LoopSharedPool> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopSharedPool initialValue() {
            return new LoopSharedPool();
        }
    };

    private final Map<Backend, ArrayDeque<Channel>> idle = new IdentityHashMap<>();
    /** Client connections in http mode on this event loop. */
    private int clients;

    /** The pool of the event loop that calls (the one the caller's connections live on). */
    static LoopSharedPool ofThisLoop() {
        return PER_LOOP.get();
    }

    @Override
    public Channel take(Backend backend) {
        ArrayDeque<Channel> channels = idle.get(backend);
        if (channels == null) {
            return null;
        }
        Channel channel;
        while ((channel = channels.pollLast()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    @Override
    public boolean offer(Backend backend, Channel channel) {
        ArrayDeque<Channel> channels = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (channels.size() >= Math.max(HttpSettings.MAX_IDLE_PER_WORKER, clients)) {
            return false;
        }
        channels.addLast(channel);
        return true;
    }

    @Override
    public void clientOpened() {
        clients++;
    }

    @Override
    public void clientClosed() {
        clients--; // its idle connections stay for the loop's other clients
    }

    @Override
    public void remove(Backend backend, Channel channel) {
        ArrayDeque<Channel> channels = idle.get(backend);
        if (channels != null && channels.remove(channel) && channels.isEmpty()) {
            idle.remove(backend); // a worker that is gone leaves nothing behind
        }
    }

    /** Idle connections held for {@code backend}. */
    int idle(Backend backend) {
        ArrayDeque<Channel> channels = idle.get(backend);
        return channels == null ? 0 : channels.size();
    }
}
