package io.jcluster.agent.worker;

import io.jcluster.agent.control.ControlMessage;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * balancer=kernel: a clustered bind is not moved but shared. The socket gets SO_REUSEPORT and binds the address the
 * app asked for, as every other worker's does ({@link SharedListeners}); the parent is told (actual port = requested
 * port) so that readiness and reloads work as in proxy mode.
 */
final class SharedPorts implements ClusteredBinds {

    private final int workerId;
    private final Consumer<ControlMessage> parent;
    private final SharedListeners shared = new SharedListeners();
    /** The copy of the requested address that the bind in progress on this thread binds (a nested bind skips it). */
    private final ThreadLocal<SocketAddress> sharedBind = new ThreadLocal<>();

    SharedPorts(int workerId, Consumer<ControlMessage> parent) {
        this.workerId = workerId;
        this.parent = parent;
    }

    @Override
    public boolean isNested(SocketAddress requested) {
        return requested != null && requested == sharedBind.get();
    }

    /**
     * Prepares {@code socket} to share {@code requested} with the other workers; returns the equal copy that tells
     * the bind advice to report the bind. A socket that cannot be shared binds unchanged and the parent is told, so
     * that it stops with a clear message instead of running a cluster in which one worker alone serves.
     */
    @Override
    public SocketAddress rewrite(InetSocketAddress requested, Object socket) {
        String failure = shared.prepare(socket);
        if (failure != null) {
            System.err.println("[jcluster] worker " + workerId + ": cannot share " + describe(requested) + ": " + failure);
            parent.accept(new ControlMessage.Unshared(requested, failure));
            return requested;
        }
        InetSocketAddress copy = new InetSocketAddress(requested.getAddress(), requested.getPort());
        sharedBind.set(copy);
        return copy;
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public void bound(SocketAddress requested, Object socket) {
        SocketAddress sharing = sharedBind.get();
        if (sharing != null && sharing.equals(requested)) { // the advice hands back the app's own address object
            sharedBind.remove();
            shared.add(socket);
        }
    }

    /** Closes the shared listening sockets, so the kernel sends this worker no new connection. */
    @Override
    public int closeSharedListeners() {
        return shared.closeAll();
    }
}
