package io.jcluster.agent.standalone;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendProbe;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.stop.GracefulStop;
import io.jcluster.agent.routing.proxy.ProxyFrontends;
import io.jcluster.agent.stop.StopSignals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final GracefulStop stop;

    private BalanceCommand(BalanceArguments arguments, Balancer balancer) {
        this.arguments = arguments;
        this.balancer = balancer;
        this.stop = new GracefulStop(arguments.options().supervisor().shutdownTimeout());
    }

    /** @param args what follows {@code balance} on the command line */
    public static void main(String[] args) {
        if (BalanceArguments.wantsHelp(args)) {
            BalanceArguments.usage(System.out);
            System.exit(0);
        }
        BalanceArguments arguments;
        ProxyFrontends frontends;
        try {
            arguments = BalanceArguments.parse(args);
            Log.configure(arguments.options().logs());
            frontends = ProxyFrontends.of(arguments.options(),
                    arguments.options().proxy().proxyProtocol() != Options.ProxyProtocol.OFF);
        } catch (BalanceArguments.BadArguments | ProxyFrontends.SetupException e) {
            System.err.println("jcluster balance: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = 1;
        try {
            status = new BalanceCommand(arguments, frontends.start()).run();
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
            balancer.sendProxyHeaders(arguments.options().proxy().proxyProtocol());
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
        return "balancing " + listen + " -> " + to + " (" + ProxyFrontends.settings(balancer, options)
                + (options.proxy().proxyProtocol() != Options.ProxyProtocol.OFF
                        ? ", proxy-protocol=" + options.proxy().proxyProtocol().name().toLowerCase(java.util.Locale.ROOT) : "")
                + ")";
    }

    private void stopSignal(String signal) {
        if (!stop.request(0, signal + " received")) {
            Log.info(signal + " received again: closing every connection now");
            Runtime.getRuntime().halt(1);
        }
    }

    private int shutDown() throws InterruptedException {
        stop.drain(ProxyFrontends.connectionsOf(balancer), stop.deadline());
        Log.info("stopped");
        return stop.exitStatus();
    }
}
