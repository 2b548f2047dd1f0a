package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;

/**
 * What a backend connection tells the exchange it is lent to ({@link BackendResponseHandler} calls these on the
 * client's event loop, the loop both connections live on).
 */
interface WorkerEvents {

    /** Response bytes from the worker; released or handed on by the callee. */
    void backendRead(ByteBuf data);

    /** The end of a read batch from the worker: the moment to flush what went to the client. */
    void backendReadComplete();

    /**
     * Whether the client can take more of the response now: the worker's next bytes are read only then. False
     * pauses the relay, and starts send-timeout.
     */
    boolean clientWritable();

    void backendWritabilityChanged(boolean writable);

    /** The backend connection closed while lent to the exchange. */
    void backendClosed();
}
