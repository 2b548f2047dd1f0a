package io.jcluster.agent.standalone;

import io.jcluster.agent.admin.AdminServer;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendProbe;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.AdminToken;
import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.memory.OldGenerationGuard;
import io.jcluster.agent.memory.RunTimeHeap;
import io.jcluster.agent.stop.GracefulStop;
import io.jcluster.agent.routing.proxy.ProxyFrontends;
import io.jcluster.agent.service.PidFile;
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
 * until a tcp connect to it succeeds ({@link BackendProbe}). With {@code --admin}, its admin endpoint reports the
 * backends and drains, puts back, adds or removes one at run time ({@link BackendRegistry}). SIGTERM/SIGINT stop it
 * gracefully, like the agent.
 *
 * <p>Exit status: 0 after a stop by signal, 1 when it cannot listen (or fails), 2 for a bad command line.
 */
public final class BalanceCommand {

    private final BalanceArguments arguments;
    private final Balancer balancer;
    /** Its frontends: the response cache and the access log the admin endpoint reports. */
    private final ProxyFrontends frontends;
    /** The admin endpoint's token (--admin-token, --admin-token-file or JCLUSTER_ADMIN_TOKEN), or null. */
    private final String adminToken;
    private final GracefulStop stop;
    /** Null until the listeners are open. */
    private volatile BackendRegistry registry;

    private BalanceCommand(BalanceArguments arguments, ProxyFrontends frontends, Balancer balancer, String adminToken) {
        this.arguments = arguments;
        this.frontends = frontends;
        this.balancer = balancer;
        this.adminToken = adminToken;
        this.stop = new GracefulStop(arguments.options().supervisor().shutdownTimeout());
    }

    /** @param args what follows {@code balance} on the command line */
    public static void main(String[] args) {
        OwnNettyProperties.apply(System.getProperties()); // before any Netty class initialises
        if (BalanceArguments.wantsHelp(args)) {
            BalanceArguments.usage(System.out);
            System.exit(0);
        }
        BalanceArguments arguments;
        ProxyFrontends frontends;
        String adminToken;
        try {
            arguments = BalanceArguments.parse(args);
            Log.configure(arguments.options().logs());
            frontends = ProxyFrontends.of(arguments.options(),
                    arguments.options().proxy().proxyProtocol() != Options.ProxyProtocol.OFF);
            adminToken = AdminToken.resolve(arguments.options(), System.getenv(), Log::info);
        } catch (BalanceArguments.BadArguments | ProxyFrontends.SetupException | OptionException e) {
            System.err.println("jcluster balance: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = 1;
        try {
            status = new BalanceCommand(arguments, frontends, frontends.start(), adminToken).run();
        } catch (Throwable failure) {
            // the event loops' threads would keep a failed balancer alive forever, serving nothing
            Log.error("the balancer failed and stops", failure);
        } finally {
            System.exit(status);
        }
    }

    private int run() throws InterruptedException {
        PidFile pidFile = null;
        AdminServer admin = null;
        try {
            if (arguments.options().service().pidFile() != null) {
                try {
                    pidFile = PidFile.write(arguments.options().service().pidFile(), ProcessHandle.current().pid());
                } catch (PidFile.RefusedException e) {
                    System.err.println("jcluster balance: " + e.getMessage());
                    return 2;
                }
            }
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
            Options options = arguments.options();
            registry = new BackendRegistry(balancer, probe, backends, options.supervisor().shutdownTimeout(),
                    options.proxy().strategy().optionValue(),
                    options.proxy().mode().optionValue(), frontends.cache(),
                    frontends.accessLog());
            if (options.admin().enabled()) {
                try {
                    admin = AdminServer.start(options.admin().address(), adminToken, registry);
                } catch (IOException | RuntimeException e) {
                    Log.info("cannot listen on --admin " + Balancer.describe(options.admin().address()) + " ("
                            + Log.describe(e) + "; is another server using that port?); stopping");
                    return 1;
                }
                Log.info("admin endpoint on " + Balancer.describe(options.admin().address())
                        + (adminToken == null ? "" : " (token required)")
                        + ": java -jar jcluster.jar status|backend drain|ready|add|remove HOST:PORT --admin "
                        + Balancer.describe(options.admin().address()));
            }
            StopSignals.install(this::stopSignal); // a -jar launch always has jdk.unsupported, which it needs
            String ownFlags = System.getenv(OwnJvmFlags.MARKER);
            if (ownFlags != null && !ownFlags.isEmpty()) {
                Log.info("running with JVM flags of its own, before yours: " + ownFlags + " (" + OwnJvmFlags.SWITCH
                        + "=keep: only yours)");
            }
            if (!OwnJvmFlags.restarted(System.getenv())) {
                // started with the JVM's defaults (JDK 17-21) or the user's flags: G1's 1/64-of-RAM heap shrunk
                RunTimeHeap.tighten(Log::info, RunTimeHeap.Role.STANDALONE);
                String advice = OwnJvmFlags.advice(Runtime.version().feature(), System.getenv(),
                        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                        RunTimeHeap::hasFlag);
                if (advice != null) {
                    Log.info(advice);
                }
            }
            OldGenerationGuard.start(Log::info);
            stop.await();
            return shutDown();
        } finally {
            if (admin != null) {
                admin.close();
            }
            if (registry != null) {
                registry.close();
            }
            balancer.close();
            if (pidFile != null) {
                pidFile.remove();
            }
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
        BackendRegistry backends = registry;
        if (backends != null) {
            backends.stopping(); // GET /ready: 503 from now on, so that load balancers in front move away
        }
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
