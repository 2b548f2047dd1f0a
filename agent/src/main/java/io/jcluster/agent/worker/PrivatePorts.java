package io.jcluster.agent.worker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * balancer=proxy: a clustered bind moves to 127.0.0.1 on a port the kernel picks, which only the parent's balancer
 * connects to. The worker leaves rotation by the parent's decision alone; it has no listener of its own to close.
 */
final class PrivatePorts implements ClusteredBinds {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Override
    public boolean isNested(SocketAddress requested) {
        return false;
    }

    @Override
    public SocketAddress rewrite(InetSocketAddress requested, Object socket) {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    @Override
    public void bound(SocketAddress requested, Object socket) {
    }

    @Override
    public int closeSharedListeners() {
        return 0;
    }
}
