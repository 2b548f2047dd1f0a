package io.jcluster.agent.balancer;

import java.net.InetSocketAddress;

/**
 * One place a listener can send connections to, and how many it has open there. The count sits in its own
 * cache line: every connect and close on any event loop touches it, and neighbours must not pay for that.
 */
public final class Backend {

    private final int owner;
    private final InetSocketAddress address;
    private final PaddedCounter open = new PaddedCounter();

    /** @param owner who provides it (a worker id); {@link Balancer#withdraw(int)} removes all of an owner's backends */
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

    void connectionOpened() {
        open.increment();
    }

    void connectionClosed() {
        open.decrement();
    }

    @Override
    public String toString() {
        return "w" + owner + "@" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
