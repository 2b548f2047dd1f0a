package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;

/**
 * Where a client connection's exchanges find an idle keep-alive connection to a worker, and leave it after the
 * response. Every call happens on the client's event loop (a backend connection lives on the loop of the client
 * that opened it), so no implementation needs a lock.
 *
 * <p>Which pool serves depends on what the backends learn about the client from the connection itself. Servers read
 * the peer address of a connection once and cache it, so where a backend connection tells the worker who its client
 * is (the agent's client address table, or a PROXY header), it must never carry another client's requests:
 * {@link ClientConnectionPool}, one per client connection. Where it tells nothing (the standalone balancer without
 * proxy-protocol), any client's request may reuse any idle connection: {@link LoopSharedPool}.
 */
interface BackendConnectionPool {

    /**
     * A pool for a new client connection: its own when backend connections name their client, else the loop's.
     * Call on the connection's event loop.
     */
    static BackendConnectionPool forClient(boolean perClientConnection) {
        return perClientConnection ? new ClientConnectionPool() : LoopSharedPool.ofThisLoop();
    }

    /** An open idle connection to {@code backend}, or null. */
    Channel take(Backend backend);

    /** @return false when the pool keeps no more for {@code backend}: the caller closes the connection */
    boolean offer(Backend backend, Channel channel);

    /** An idle connection closed (the worker's idle timeout, or the worker went away). */
    void remove(Backend backend, Channel channel);

    /** The client connection this pool serves began. */
    void clientOpened();

    /** The client connection ended (or became a tunnel): a pool of its own closes what it holds. */
    void clientClosed();
}
