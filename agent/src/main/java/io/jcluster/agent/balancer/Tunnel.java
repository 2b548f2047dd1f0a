package io.jcluster.agent.balancer;

import io.netty.channel.Channel;

/**
 * Turns a client connection and a backend connection into a raw byte relay in both directions (tcp mode's
 * relay, with its back-pressure and half-close handling): for protocols that leave HTTP, e.g. a WebSocket after
 * its 101 response. Call on the connections' shared event loop.
 */
public final class Tunnel {

    private Tunnel() {
    }

    /**
     * Adds the relays at the end of both pipelines. The caller then removes its own handlers before them; a
     * decoder removed after this passes the bytes it still holds on to the relay, so nothing is lost.
     *
     * @param lease    the backend's count for this connection, released when the backend connection ends (a
     *                 {@linkplain BackendLease#reusable() reusable} lease is handed off: the tunnel keeps a lease of
     *                 its own, and the caller's may be claimed again without the tunnel's release counting it down)
     * @param requests tells a request's start in the client's bytes (see {@link RequestStart})
     */
    public static void join(Upstream upstream, Channel client, Channel backend, BackendLease lease,
                            RequestStart requests) {
        ProxiedConnection connection = new ProxiedConnection(client, upstream, requests);
        connection.backend = backend;
        BackendLease own = lease.isReusable() ? lease.handOff() : lease;
        connection.lease = own;
        client.attr(ClientConnection.KEY).set(connection);
        backend.closeFuture().addListener(own);
        backend.pipeline().addLast("relay", new Relay(client, connection, false));
        client.pipeline().addLast("relay", new Relay(backend, connection, true));
        backend.read();
        client.read();
    }
}
