package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;

/**
 * The idle backend connections of one client connection: at most one per worker (the client uses one at a time),
 * at most {@link #MAX_IDLE} in all (the least recently used goes first), all closed when the client connection
 * ends, so the parent holds no socket for a client that left.
 *
 * <p>One client connection, not one client address: a server caches the peer's address <em>and port</em> per
 * connection, so a backend connection shared by two connections of one address would report the first one's port
 * for the second one's requests. The price is reuse: a new client connection opens its own backend connections
 * instead of taking idle ones of other clients.
 */
final class ClientConnectionPool implements BackendConnectionPool {

    /**
     * Workers a client connection keeps an idle connection to at most. Per-request balancing sends one keep-alive
     * client to every worker in turn; past this many workers, the least recently used connection is closed.
     */
    static final int MAX_IDLE = 8;

    /** Oldest first; {@code size} entries in use. Allocated with the first connection offered. */
    private Backend[] backends;
    private Channel[] channels;
    private int size;

    @Override
    public Channel take(Backend backend) {
        int at = indexOf(backend);
        if (at < 0) {
            return null;
        }
        Channel channel = channels[at];
        removeAt(at);
        return channel.isActive() ? channel : null;
    }

    @Override
    public boolean offer(Backend backend, Channel channel) {
        if (backends == null) {
            backends = new Backend[MAX_IDLE];
            channels = new Channel[MAX_IDLE];
        }
        int same = indexOf(backend);
        if (same >= 0) {
            Channel older = channels[same];
            removeAt(same);
            older.close();
        } else if (size == MAX_IDLE) {
            Channel oldest = channels[0];
            removeAt(0);
            oldest.close();
        }
        backends[size] = backend;
        channels[size] = channel;
        size++;
        return true;
    }

    @Override
    public void remove(Backend backend, Channel channel) {
        for (int i = 0; i < size; i++) {
            if (channels[i] == channel) {
                removeAt(i);
                return;
            }
        }
    }

    @Override
    public void clientOpened() {
    }

    @Override
    public void clientClosed() {
        while (size > 0) {
            Channel channel = channels[size - 1];
            removeAt(size - 1);
            channel.close();
        }
    }

    /** Idle connections held now. */
    int size() {
        return size;
    }

    private int indexOf(Backend backend) {
        for (int i = 0; i < size; i++) {
            if (backends[i] == backend) {
                return i;
            }
        }
        return -1;
    }

    private void removeAt(int at) {
        System.arraycopy(backends, at + 1, backends, at, size - at - 1);
        System.arraycopy(channels, at + 1, channels, at, size - at - 1);
        size--;
        backends[size] = null;
        channels[size] = null;
    }
}
