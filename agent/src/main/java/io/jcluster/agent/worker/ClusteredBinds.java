package io.jcluster.agent.worker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Where a bind of a clustered port goes, as the {@code balancer} option decides, picked once as the worker starts:
 * {@link PrivatePorts} (balancer=proxy) or {@link SharedPorts} (balancer=kernel).
 */
interface ClusteredBinds {

    /** Whether {@code requested} is the address this thread is binding already (a nested bind leaves it alone). */
    boolean isNested(SocketAddress requested);

    /** The address {@code socket} binds instead of {@code requested}, a port the cluster serves. */
    SocketAddress rewrite(InetSocketAddress requested, Object socket);

    /** {@code socket} is bound for {@code requested}; the parent is told by the caller. */
    void bound(SocketAddress requested, Object socket);

    /** Takes this worker out of the kernel's rotation; returns how many listening sockets closed. */
    int closeSharedListeners();
}
