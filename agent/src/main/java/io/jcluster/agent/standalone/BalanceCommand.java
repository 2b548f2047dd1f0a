package io.jcluster.agent.standalone;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendProbe;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.ConnectionLimit;
import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Transport;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.http.HttpFrontend;
import io.jcluster.agent.http.TlsContext;
import io.jcluster.agent.http.wire.RequestLine;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.StopSignals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * {@code java -jar jcluster.jar balance --listen 9000 --backend 127.0.0.1:8081 --backend 127.0.0.1:8082 ...}: the
 * agent's balancer (same listeners, frontends, strategies, limits) in front of servers named on the command line,
 * with no workers and no supervision. A backend that refuses a connection, or is down at start, is out of rotation
 * until a tcp connect to it succeeds ({@link BackendProbe}). SIGTERM/SIGINT stop it gracefully, like the agent.
 *
 * <p>Exit status: 0 after a stop by signal, 1 when it cannot listen (or fails), 2 for a bad command line.
 */
public final class BalanceCommand {

    private final BalanceArguments arguments;
    private final Balancer balancer;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();

    private BalanceCommand(BalanceArguments arguments, Balancer balancer) {
        this.arguments = arguments;
        this.balancer = balancer;
    }

    /** @param args what follows {@code balance} on the command line */
    public static void main(String[] args) {
        if (BalanceArguments.wantsHelp(args)) {
            BalanceArguments.usage(System.out);
            System.exit(0);
        }
        BalanceArguments arguments;
        Frontend frontend;
        Transport transport;
        try {
            arguments = BalanceArguments.parse(args);
            frontend = Frontend.tcp(arguments.options().tcpIdleTimeout(), RequestLine::isStartOf);
            if (arguments.options().mode() == Options.Mode.HTTP) {
                frontend = HttpFrontend.of(arguments.options(),
                        arguments.options().proxyProtocol() != Options.ProxyProtocol.OFF);
            }
            transport = Transport.choose(arguments.options().transport());
        } catch (BalanceArguments.BadArguments | TlsContext.TlsException | Transport.UnavailableException e) {
            System.err.println("jcluster balance: " + e.getMessage());
            System.exit(2);
            return;
        }
        Options options = arguments.options();
        int status = 1;
        try {
            Balancer balancer = Balancer.start(options.strategy(), frontend,
                    new ConnectionLimit(options.maxConnections(), options.maxQueue(), options.queueTimeout()), transport);
            status = new BalanceCommand(arguments, balancer).run();
        } catch (Throwable failure) {
            // the event loops' threads would keep a failed balancer alive forever, serving nothing
            Log.error("the balancer failed and stops", failure);
        } finally {
            System.exit(status);
        }
    }

    private int run() throws InterruptedException {
        try {
            if (balancer.transportNote() != null) {
                Log.info(balancer.transportNote());
            }
            List<Backend> backends = new ArrayList<>();
            for (InetSocketAddress address : arguments.backends()) {
                backends.add(new Backend(backends.size(), address));
            }
            balancer.sendProxyHeaders(arguments.options().proxyProtocol());
            BackendProbe probe = balancer.probeRefusedBackends(arguments.probePeriod());
            Map<Backend, String> down = probe.unreachable(backends);
            List<Backend> up = new ArrayList<>(backends);
            up.removeAll(down.keySet());
            for (InetSocketAddress address : arguments.listen()) {
                try {
                    balancer.listen(address, up);
                } catch (IOException | RuntimeException e) {
                    Log.info("cannot listen on " + Balancer.describe(address) + " (" + Log.describe(e)
                            + "; is another server using that port?); stopping");
                    return 1;
                }
            }
            Log.info(startupLine(backends));
            down.forEach(probe::down);
            if (up.isEmpty()) {
                Log.info("no backend accepts connections yet: clients are turned away until one does");
            }
            StopSignals.install(this::stopSignal); // a -jar launch always has jdk.unsupported, which it needs
            stop.await();
            return shutDown();
        } finally {
            balancer.close();
        }
    }

    private String startupLine(List<Backend> backends) {
        Options options = arguments.options();
        String listen = arguments.listen().stream().map(Balancer::describe).collect(Collectors.joining(", "));
        String to = backends.stream().map(backend -> Balancer.describe(backend.address()))
                .collect(Collectors.joining(", "));
        return "balancing " + listen + " -> " + to + " (" + options.strategy().optionValue() + ", "
                + balancer.frontendName() + ", " + balancer.transportName()
                + (options.maxConnections() > 0 ? ", max-connections=" + options.maxConnections() : "")
                + (options.proxyProtocol() != Options.ProxyProtocol.OFF
                        ? ", proxy-protocol=" + options.proxyProtocol().name().toLowerCase(java.util.Locale.ROOT) : "")
                + ")";
    }

    private void stopSignal(String signal) {
        if (stopping.compareAndSet(false, true)) {
            Log.info(signal + " received; stopping (up to " + arguments.options().shutdownTimeout().toSeconds()
                    + "s for open connections)");
            stop.countDown();
        } else {
            Log.info(signal + " received again: closing every connection now");
            Runtime.getRuntime().halt(1);
        }
    }

    private int shutDown() throws InterruptedException {
        long deadline = System.nanoTime() + arguments.options().shutdownTimeout().toNanos();
        balancer.stopAccepting();
        int open = balancer.drain(deadline);
        if (open > 0) {
            Log.info(open + " connection(s) still open after shutdown-timeout "
                    + arguments.options().shutdownTimeout().toSeconds() + "s; closing them");
        }
        Log.info("stopped");
        return 0;
    }
}
