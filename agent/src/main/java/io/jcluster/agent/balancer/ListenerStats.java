package io.jcluster.agent.balancer;

import java.net.InetSocketAddress;

/** What went through one listener since it opened: every connection, whichever backend served it. */
public final class ListenerStats {

    private final InetSocketAddress address;
    private final PaddedCounter accepted = new PaddedCounter();
    private final PaddedCounter closed = new PaddedCounter();
    private final PaddedCounter refused = new PaddedCounter();
    private final PaddedCounter bytesFromClients = new PaddedCounter();
    private final PaddedCounter bytesToClients = new PaddedCounter();
    private final PaddedCounter queued = new PaddedCounter();

    ListenerStats(InetSocketAddress address) {
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }

    public long connectionsTotal() {
        return accepted.get();
    }

    public long openConnections() {
        return accepted.get() - closed.get();
    }

    /** Connections closed at once because no backend was in rotation. */
    public long refusedTotal() {
        return refused.get();
    }

    public long bytesFromClients() {
        return bytesFromClients.get();
    }

    public long bytesToClients() {
        return bytesToClients.get();
    }

    /** Requests waiting for a free connection slot (http mode's max-connections queue; 0 in tcp mode). */
    public long queueLength() {
        return queued.get();
    }

    /** For http mode's queue: a request started (+1) or stopped (-1) waiting. */
    public void queueChanged(int delta) {
        queued.add(delta);
    }

    void accepted() {
        accepted.increment();
    }

    void closed() {
        closed.increment();
    }

    void refused() {
        refused.increment();
    }

    void transferred(long fromClients, long toClients) {
        if (fromClients != 0) {
            bytesFromClients.add(fromClients);
        }
        if (toClients != 0) {
            bytesToClients.add(toClients);
        }
    }
}
