package io.jcluster.agent.worker;

import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.bootstrap.BindRewrite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker's bind policy: a bind of a clustered port goes to 127.0.0.1 on a port the kernel picks, and the
 * parent is told where, so that it can balance the original address over the workers. Port 0, unresolved
 * and unix-domain addresses, ports the options exclude, the JVM's own JMX ports and every RMI server socket (an
 * RMI registry, JMX's connector) are left alone: they belong to each process, never to the cluster.
 *
 * <p>Tomcat's shutdown port (StandardServer#await, 8005 in a standalone Tomcat) is per process too, but left
 * alone it would make every worker but one fail to start (Tomcat stops when it cannot bind it). Unless the
 * {@code port} option names it, each worker gets it privately on 127.0.0.1 at a port the kernel picks, and it is
 * not clustered: a SHUTDOWN sent to the port reaches no worker (stop the cluster with SIGTERM to the parent).
 *
 * <p>balancer=kernel: a clustered bind is not moved but shared. The socket gets SO_REUSEPORT and binds the address
 * the app asked for, as every other worker's does, and the parent is told (actual port = requested port) so that
 * readiness and reloads work as in proxy mode.
 */
final class BindReporter implements BindRewrite.Policy {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Ports of the JVM's own remote management, which belong to each process, never to the cluster. */
    private static final List<String> PER_PROCESS_PORT_PROPERTIES = List.of(
            "com.sun.management.jmxremote.port", "com.sun.management.jmxremote.rmi.port");

    private final Options options;
    private final ControlClient control;
    private final int workerId;
    private final Set<Integer> perProcessPorts;
    /** The bind in progress on this thread was made private (rewritten, but not for the cluster). */
    private final ThreadLocal<SocketAddress> privateBind = new ThreadLocal<>();
    private final Set<Integer> toldPrivate = ConcurrentHashMap.newKeySet();
    /** balancer=kernel: the sockets sharing the app's ports; null in proxy mode. */
    private final SharedListeners shared;
    /** The copy of the requested address that the bind in progress on this thread binds (a nested bind skips it). */
    private final ThreadLocal<SocketAddress> sharedBind = new ThreadLocal<>();

    BindReporter(Options options, ControlClient control, int workerId) {
        this.options = options;
        this.control = control;
        this.workerId = workerId;
        this.perProcessPorts = perProcessPorts();
        this.shared = options.proxy().kernelBalancing() ? new SharedListeners() : null;
    }

    /** balancer=kernel: closes the shared listening sockets, so the kernel sends this worker no new connection. */
    int closeSharedListeners() {
        return shared == null ? 0 : shared.closeAll();
    }

    private static Set<Integer> perProcessPorts() {
        Set<Integer> ports = new HashSet<>();
        for (String property : PER_PROCESS_PORT_PROPERTIES) {
            Integer port = Integer.getInteger(property);
            if (port != null) {
                ports.add(port);
            }
        }
        return Set.copyOf(ports);
    }

    @Override
    public SocketAddress rewrite(SocketAddress requested, Object socket) {
        privateBind.remove();
        if (requested != null && requested == sharedBind.get()) {
            return requested; // a nested bind (an abstract Netty server channel's) of the address being shared
        }
        if (!(requested instanceof InetSocketAddress inet) || inet.isUnresolved() || inet.getPort() == 0) {
            return requested;
        }
        BindCaller caller = BindCaller.current();
        if (caller == BindCaller.TOMCAT_SHUTDOWN_PORT && !options.proxy().ports().contains(inet.getPort())) {
            privateBind.set(requested);
            if (workerId == 0 && toldPrivate.add(inet.getPort())) {
                System.err.println("[jcluster] worker 0: Tomcat's shutdown port " + inet.getPort() + " is private to"
                        + " each worker, not clustered (stop the cluster with SIGTERM to the parent; port="
                        + inet.getPort() + " clusters it)");
            }
            return new InetSocketAddress(LOOPBACK, 0);
        }
        if (options.proxy().clusters(inet.getPort()) && !perProcessPorts.contains(inet.getPort()) && caller != BindCaller.RMI) {
            return shared == null ? new InetSocketAddress(LOOPBACK, 0) : share(inet, socket);
        }
        // the parent says so once: a fixed port that every worker binds for itself is a classic cause of crashes
        send(new ControlMessage.Unclustered(inet));
        return requested;
    }

    /**
     * Prepares {@code socket} to share {@code requested} with the other workers; returns the equal copy that tells
     * the bind advice to report the bind. A socket that cannot be shared binds unchanged and the parent is told, so
     * that it stops with a clear message instead of running a cluster in which one worker alone serves.
     */
    private SocketAddress share(InetSocketAddress requested, Object socket) {
        String failure = shared.prepare(socket);
        if (failure != null) {
            System.err.println("[jcluster] worker " + workerId + ": cannot share " + describe(requested) + ": " + failure);
            send(new ControlMessage.Unshared(requested, failure));
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
    public void bound(SocketAddress requested, SocketAddress actual, Object socket) {
        if (privateBind.get() == requested) {
            privateBind.remove();
            return;
        }
        if (!(requested instanceof InetSocketAddress asked) || !(actual instanceof InetSocketAddress real)) {
            return;
        }
        SocketAddress sharing = sharedBind.get();
        if (sharing != null && sharing.equals(requested)) { // the advice hands back the app's own address object
            sharedBind.remove();
            shared.add(socket);
        }
        send(new ControlMessage.Bound(asked, real.getPort()));
    }

    private void send(ControlMessage message) {
        try {
            control.send(message);
        } catch (IOException e) {
            // the parent is gone; the disconnect watcher is already ending this worker
        }
    }
}
