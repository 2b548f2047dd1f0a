package io.jcluster.agent.balancer;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

/**
 * The state of one client connection and its backend connection. Touched only on their shared event loop,
 * so plain fields suffice.
 */
final class ProxiedConnection implements ClientConnection {

    final Channel client;
    Channel backend;
    BackendLease lease;
    private int finishedDirections;
    /** Counts reads on either side; compared between idle checks to see whether anything moved. */
    private int reads;
    private int readsAtLastCheck = -1;
    /** True while a request is (likely) outstanding: the client spoke and the backend has not answered yet. */
    private boolean clientSpokeLast;

    ProxiedConnection(Channel client) {
        this.client = client;
    }

    void read(boolean fromClient) {
        reads++;
        clientSpokeLast = fromClient;
    }

    /** One side ended its input: pass the half-close on, and close both once both directions are done. */
    void inputShutdown(Channel to) {
        if (to == client && lease != null) {
            lease.release(); // the worker sent its FIN: it no longer counts this connection as open
        }
        if (!(to instanceof DuplexChannel) || !to.isActive()) {
            close();
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (!flushed.isSuccess()) {
                close();
                return;
            }
            ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (++finishedDirections == 2 || !shut.isSuccess()) {
                    close();
                }
            });
        });
    }

    /**
     * During shutdown: close the connection if it is between requests. In tcp mode the balancer cannot see
     * request boundaries; a connection whose last bytes went to the client and that stayed quiet since the
     * previous check is taken to be an idle keep-alive connection.
     */
    @Override
    public void closeIfIdle() {
        boolean quiet = reads == readsAtLastCheck;
        readsAtLastCheck = reads;
        if (quiet && !clientSpokeLast) {
            close();
        }
    }

    void close() {
        closeOnFlush(client);
        if (backend != null) {
            closeOnFlush(backend);
        }
    }

    static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }
}
