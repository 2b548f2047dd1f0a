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

/**
 * A worker's bind policy: a bind of a clustered port goes to 127.0.0.1 on a port the kernel picks, and the
 * parent is told where, so that it can balance the original address over the workers. Port 0, unresolved
 * and unix-domain addresses, ports the options exclude and the JVM's own JMX ports are left alone.
 */
final class BindReporter implements BindRewrite.Policy {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Ports of the JVM's own remote management, which belong to each process, never to the cluster. */
    private static final List<String> PER_PROCESS_PORT_PROPERTIES = List.of(
            "com.sun.management.jmxremote.port", "com.sun.management.jmxremote.rmi.port");

    private final Options options;
    private final ControlClient control;
    private final Set<Integer> perProcessPorts;

    BindReporter(Options options, ControlClient control) {
        this.options = options;
        this.control = control;
        this.perProcessPorts = perProcessPorts();
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
    public SocketAddress rewrite(SocketAddress requested) {
        if (!(requested instanceof InetSocketAddress inet) || inet.isUnresolved() || inet.getPort() == 0) {
            return requested;
        }
        if (options.clusters(inet.getPort()) && !perProcessPorts.contains(inet.getPort())) {
            return new InetSocketAddress(LOOPBACK, 0);
        }
        // the parent says so once: a fixed port that every worker binds for itself is a classic cause of crashes
        send(new ControlMessage.Unclustered(inet));
        return requested;
    }

    @Override
    public void bound(SocketAddress requested, SocketAddress actual) {
        if (!(requested instanceof InetSocketAddress asked) || !(actual instanceof InetSocketAddress real)) {
            return;
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
