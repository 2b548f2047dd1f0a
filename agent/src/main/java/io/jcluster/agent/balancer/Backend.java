package io.jcluster.agent.balancer;

import java.net.InetSocketAddress;

/**
 * One place a listener can send connections to, how many it has open there, and what went through it. Each count
 * sits in its own cache line: every connect and close on any event loop touches them, and neighbours must not pay
 * for that.
 *
 * <p>A backend is in rotation from {@link Balancer#admit} until {@link Balancer#withdraw}; a withdrawn backend is
 * {@linkplain #draining() draining}: it gets no new connections, its open ones finish (and keep-alive HTTP/1
 * connections move to another backend at their next request).
 */
public final class Backend {

    private final int owner;
    private final InetSocketAddress address;
    private final PaddedCounter open = new PaddedCounter();
    private final PaddedCounter connections = new PaddedCounter();
    private final PaddedCounter bytesFromClients = new PaddedCounter();
    private final PaddedCounter bytesToClients = new PaddedCounter();
    private final LatencyHistogram requests = new LatencyHistogram();
    private volatile boolean draining;

    /** @param owner who provides it (a worker id); shown in logs and metrics */
    public Backend(int owner, InetSocketAddress address) {
        this.owner = owner;
        this.address = address;
    }

    public int owner() {
        return owner;
    }

    public InetSocketAddress address() {
        return address;
    }

    public long openConnections() {
        return open.get();
    }

    /** Connections sent here so far. */
    public long connectionsTotal() {
        return connections.get();
    }

    public long bytesFromClients() {
        return bytesFromClients.get();
    }

    public long bytesToClients() {
        return bytesToClients.get();
    }

    /**
     * A request to this backend completed, its response relayed in full, {@code nanos} after its first byte arrived.
     * Called by http mode, which sees requests; tcp mode sees only connections and never calls it.
     */
    public void requestCompleted(long nanos) {
        requests.record(nanos);
    }

    /** Requests completed here (http mode only; 0 in tcp mode) and how long they took. */
    public LatencyHistogram requests() {
        return requests;
    }

    /** True once withdrawn from rotation: it takes no new connections, its open ones are finishing. */
    public boolean draining() {
        return draining;
    }

    void markDraining() {
        draining = true;
    }

    /** Back from a drain (the standalone balancer's {@code backend ready}): {@link Balancer#restore}. */
    void markServing() {
        draining = false;
    }

    void connectionOpened() {
        open.increment();
        connections.increment();
    }

    void connectionClosed() {
        open.decrement();
    }

    void transferred(long fromClients, long toClients) {
        if (fromClients != 0) {
            bytesFromClients.add(fromClients);
        }
        if (toClients != 0) {
            bytesToClients.add(toClients);
        }
    }

    @Override
    public String toString() {
        return "w" + owner + "@" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
