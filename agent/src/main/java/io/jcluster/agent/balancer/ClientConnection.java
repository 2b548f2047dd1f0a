package io.jcluster.agent.balancer;

import io.netty.util.AttributeKey;

/** A client connection as graceful shutdown sees it. Both frontends attach one to their client channels. */
public interface ClientConnection {

    AttributeKey<ClientConnection> KEY = AttributeKey.valueOf("jcluster.connection");

    /**
     * During shutdown, called on the connection's event loop every 200 ms: close the connection if it is between
     * requests, and make sure it ends after the request in progress.
     */
    void closeIfIdle();
}
