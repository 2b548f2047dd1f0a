package io.jcluster.agent.http;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The pool for backends that never learn who the client is (the standalone balancer without proxy-protocol): idle
 * keep-alive connections to the workers, shared by every client connection of an event loop (a backend connection lives on the loop of the
 * client that opened it, so the pool needs no lock). Most recently used first: the connection least likely to
 * have been closed by the worker's own idle timeout.
 *
 * <p>Sized to the concurrency: a client connection uses one backend connection at a time, so a loop never needs
 * more idle connections to a worker than it has client connections. A smaller cap makes a busy loop close
 * connections only to open new ones a moment later (reconnect churn costs both sides far more than an idle
 * socket).
 */
final class LoopSharedPool implements BackendConnectionPool {

    static final LoopSharedPool INSTANCE = new LoopSharedPool();

    /** Client connections in http mode on this event loop. */
    private static final FastThreadLocal<int[]> CLIENTS = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    private static final FastThreadLocal<Map<Backend, ArrayDeque<Channel>>> IDLE = new FastThreadLocal<>() {
        @Override
        protected Map<Backend, ArrayDeque<Channel>> initialValue() {
            return new IdentityHashMap<>();
        }
    };

    private LoopSharedPool() {
    }

    @Override
    public Channel take(Backend backend) {
        ArrayDeque<Channel> idle = IDLE.get().get(backend);
        if (idle == null) {
            return null;
        }
        Channel channel;
        while ((channel = idle.pollLast()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    @Override
    public boolean offer(Backend backend, Channel channel) {
        ArrayDeque<Channel> idle = IDLE.get().computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (idle.size() >= Math.max(HttpSettings.MAX_IDLE_PER_WORKER, CLIENTS.get()[0])) {
            return false;
        }
        idle.addLast(channel);
        return true;
    }

    @Override
    public void clientOpened() {
        CLIENTS.get()[0]++;
    }

    @Override
    public void clientClosed() {
        CLIENTS.get()[0]--; // its idle connections stay for the loop's other clients
    }

    @Override
    public void remove(Backend backend, Channel channel) {
        Map<Backend, ArrayDeque<Channel>> pools = IDLE.get();
        ArrayDeque<Channel> idle = pools.get(backend);
        if (idle != null && idle.remove(channel) && idle.isEmpty()) {
            pools.remove(backend); // a worker that is gone leaves nothing behind
        }
    }
}
