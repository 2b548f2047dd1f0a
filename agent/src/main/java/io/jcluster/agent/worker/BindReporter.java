package io.jcluster.agent.worker;

import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.bootstrap.BindRewrite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
 * {@code port} option names it, each worker gets it privately on 127.0.0.1 at a port the kernel picks, and tells the
 * parent the address Tomcat asked for and its shutdown command ({@link TomcatShutdownCommand}): the parent listens
 * there instead, and the command stops the whole cluster ({@code catalina.sh stop}). Jetty's stop port (STOP.PORT,
 * bound by its ShutdownService) is treated the same way, with STOP.KEY ({@link JettyStopKey}) for the command: left
 * alone, the parent would balance it, and {@code start.jar --stop} would stop one worker, which is then restarted.
 *
 * <p>Where a clustered bind goes depends on the balancer ({@link ClusteredBinds}): a private port, or with
 * balancer=kernel the app's own address, shared with the other workers.
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
    private final ThreadLocal<PrivateBind> privateBind = new ThreadLocal<>();
    private final Set<Integer> toldPrivate = ConcurrentHashMap.newKeySet();
    private final ClusteredBinds clustered;

    BindReporter(Options options, ControlClient control, int workerId) {
        this.options = options;
        this.control = control;
        this.workerId = workerId;
        this.perProcessPorts = perProcessPorts();
        this.clustered = options.proxy().kernelBalancing() ? new SharedPorts(workerId, this::send) : new PrivatePorts();
    }

    /** Takes this worker out of the kernel's rotation (balancer=kernel; nothing to close otherwise). */
    int closeSharedListeners() {
        return clustered.closeSharedListeners();
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
        if (clustered.isNested(requested)) {
            return requested; // a nested bind (an abstract Netty server channel's) of the address being shared
        }
        if (!(requested instanceof InetSocketAddress inet) || inet.isUnresolved() || inet.getPort() == 0) {
            return requested;
        }
        BindCaller caller = BindCaller.current();
        if ((caller == BindCaller.TOMCAT_SHUTDOWN_PORT || caller == BindCaller.JETTY_STOP_PORT)
                && !options.proxy().ports().contains(inet.getPort())) {
            privateBind.set(new PrivateBind(requested, caller));
            return new InetSocketAddress(LOOPBACK, 0);
        }
        if (options.proxy().clusters(inet.getPort()) && !perProcessPorts.contains(inet.getPort()) && caller != BindCaller.RMI) {
            return clustered.rewrite(inet, socket);
        }
        // the parent says so once: a fixed port that every worker binds for itself is a classic cause of crashes
        send(new ControlMessage.Unclustered(inet));
        return requested;
    }

    @Override
    public void bound(SocketAddress requested, SocketAddress actual, Object socket) {
        PrivateBind bind = privateBind.get();
        if (bind != null && bind.requested() == requested) {
            privateBind.remove();
            if (requested instanceof InetSocketAddress asked) {
                reportStopPort(asked, bind.caller() == BindCaller.JETTY_STOP_PORT);
            }
            return;
        }
        if (!(requested instanceof InetSocketAddress asked) || !(actual instanceof InetSocketAddress real)) {
            return;
        }
        clustered.bound(requested, socket);
        send(new ControlMessage.Bound(asked, real.getPort()));
    }

    /**
     * Tomcat's await (Jetty's ShutdownService) bound its stop port privately: the parent takes the port, with the
     * command (Jetty: the key).
     */
    private void reportStopPort(InetSocketAddress requested, boolean jetty) {
        String secret = jetty ? "key" : "shutdown command";
        String why;
        try {
            Optional<String> command = jetty ? JettyStopKey.of(requested.getPort())
                    : TomcatShutdownCommand.of(requested.getPort());
            if (command.isEmpty()) {
                why = jetty ? "its key is not known (give start.jar both STOP.PORT and STOP.KEY)"
                        : "its shutdown command cannot be read (Tomcat's MBean registry is off)";
            } else if (command.get().getBytes(StandardCharsets.UTF_8).length > ControlMessage.StopPort.MAX_COMMAND_BYTES) {
                why = "its " + secret + " is longer than " + ControlMessage.StopPort.MAX_COMMAND_BYTES + " bytes";
            } else {
                send(new ControlMessage.StopPort(requested,
                        jetty ? ControlMessage.StopPort.JETTY : ControlMessage.StopPort.TOMCAT, command.get()));
                why = null;
            }
        } catch (RuntimeException | LinkageError e) {
            why = "its " + secret + " cannot be read (" + e + ")";
        }
        if (workerId == 0 && toldPrivate.add(requested.getPort())) {
            System.err.println("[jcluster] worker 0: " + (jetty ? "Jetty's stop port " : "Tomcat's shutdown port ")
                    + requested.getPort() + " is private to each worker; " + (why == null ? "the parent listens there"
                    + " for the " + secret : "the parent cannot take it: " + why + "; stop the cluster with SIGTERM to"
                    + " the parent"));
        }
    }

    /** A bind made private, and who made it. */
    private record PrivateBind(SocketAddress requested, BindCaller caller) {
    }

    private void send(ControlMessage message) {
        try {
            control.send(message);
        } catch (IOException e) {
            // the parent is gone; the disconnect watcher is already ending this worker
        }
    }
}
