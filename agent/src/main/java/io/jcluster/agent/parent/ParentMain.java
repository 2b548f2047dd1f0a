package io.jcluster.agent.parent;

import io.jcluster.agent.admin.AdminServer;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.cluster.ClusterHub;
import io.jcluster.agent.cluster.LeadershipRouting;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.Stores;
import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.OptionReread;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.StoreOptions;
import io.jcluster.agent.control.ControlDirectory;
import io.jcluster.agent.control.ControlServer;
import io.jcluster.agent.instrument.AgentInstaller;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.memory.OldGenerationGuard;
import io.jcluster.agent.memory.ParentRestart;
import io.jcluster.agent.memory.RunTimeHeap;
import io.jcluster.agent.routing.RoutingMode;
import io.jcluster.agent.routing.kernel.KernelRouting;
import io.jcluster.agent.routing.proxy.ProxyFrontends;
import io.jcluster.agent.routing.proxy.ProxyRouting;
import io.jcluster.agent.stopport.StopPorts;
import io.jcluster.agent.service.PidFile;
import io.jcluster.agent.service.ServiceState;
import io.jcluster.agent.supervisor.CommandLine;
import io.jcluster.agent.supervisor.SharedLogFiles;
import io.jcluster.agent.supervisor.Supervisor;
import io.jcluster.agent.supervisor.probe.Probe;
import io.jcluster.agent.supervisor.WorkerCommand;
import io.jcluster.agent.supervisor.WorkerShares;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * What the parent JVM runs instead of the app: the launcher is redirected here by the agent's premain. Wires the
 * control channel, the supervisor, the routing mode and the admin endpoint together, then waits for a stop
 * ({@link Shutdown}).
 */
public final class ParentMain {

    /** What premain parsed, for main: the launcher calls main with the app's arguments only. */
    private static final AtomicReference<Launch> PREPARED = new AtomicReference<>();

    private final Options config;
    private final String adminToken;
    private final String agentArgument;
    /** Made before this process's restart, or null: see {@link #prepareForRestart}. */
    private final Path prepared;
    private final RoutingMode routing;
    private final Shutdown shutdown;

    private ParentMain(Launch launch, RoutingMode routing, Shutdown shutdown) {
        this.config = launch.options();
        this.adminToken = launch.adminToken();
        this.agentArgument = launch.agentArgument();
        this.prepared = launch.prepared();
        this.routing = routing;
        this.shutdown = shutdown;
    }

    /**
     * Premain: the options and the admin endpoint's token (from the options, a file or the environment, or null),
     * the agent argument they came from (SIGHUP reads it and its config file again), and the directory the image
     * before this process's restart made ({@link #prepareForRestart}), or null.
     */
    public static void prepare(Options options, String adminToken, String agentArgument, Path prepared) {
        PREPARED.set(new Launch(options, adminToken, agentArgument, prepared));
    }

    /**
     * Premain, once the parent restarts itself: the control directory, made now, with the classes the restarted
     * image and its workers would otherwise transform with Byte Buddy (the launch redirect, the bind hooks), so
     * that the restarted parent loads none of Byte Buddy's ~650 classes. Null when that failed (said in one line):
     * the restarted image then does it itself.
     */
    public static Path prepareForRestart() {
        Path directory = null;
        try {
            directory = ControlDirectory.newDirectory();
            AgentInstaller.prepareParent(directory);
            return directory;
        } catch (IOException | RuntimeException e) {
            if (directory != null) {
                ControlDirectory.deleteFlat(directory);
            }
            Log.info("could not prepare the restarted parent's classes (" + Log.describe(e) + "); it transforms them"
                    + " itself, starting a little slower");
            return null;
        }
    }

    /** @param appArguments the app's arguments; the workers get them through the command line */
    public static void main(String[] appArguments) {
        Launch launch = PREPARED.get();
        if (launch == null) {
            System.err.println("jcluster: " + ParentMain.class.getName() + " is started by the jcluster agent, not by"
                    + " hand; run: java -javaagent:jcluster.jar=processes=N <your usual command line>");
            System.exit(2);
        }
        // as the standalone balancer (OwnNettyProperties): Netty's pooled allocator would load jdk.jfr (~90 classes)
        // into a parent that records nothing; a -D of the app's wins. The workers do not inherit it.
        System.getProperties().putIfAbsent("io.netty.jfr.enabled", "false");
        Shutdown shutdown = new Shutdown(launch.options());
        int status = 1;
        try {
            RoutingMode routing = routing(launch.options(), why -> shutdown.request(1, why));
            status = new ParentMain(launch, routing, shutdown).run();
        } catch (ProxyFrontends.SetupException e) {
            System.err.println("jcluster: " + e.getMessage());
            status = 2;
        } catch (Throwable failure) {
            // the event loops' threads would keep a parent whose main failed alive forever, serving nothing
            Log.error("the parent failed and stops (a NoClassDefFoundError here usually means jcluster.jar was"
                    + " overwritten while running: deploy a new jar by renaming it into place)", failure);
        } finally {
            System.exit(status);
        }
    }

    /**
     * The one place that picks the routing mode, from the options: balancer=kernel, or the parent's own proxy
     * (checked first: TLS material and transport).
     *
     * @param fail stops the parent with status 1 and the reason it is given
     */
    static RoutingMode routing(Options options, Consumer<String> fail) throws ProxyFrontends.SetupException {
        if (options.proxy().kernelBalancing()) {
            return new KernelRouting(options, fail);
        }
        // each worker learns its clients' addresses from the balancer
        ProxyFrontends frontends = ProxyFrontends.of(options, true);
        return new ProxyRouting(options, frontends.start(), frontends.cache(), frontends.accessLog(), fail);
    }

    private int run() throws IOException, InterruptedException {
        AdminServer admin = null;
        Store store = null;
        ClusterHub hub = null;
        StopPorts stopPorts = new StopPorts(why -> shutdown.request(0, why));
        PidFile pidFile = null;
        ServiceState service = null;
        try (ControlServer control = control(prepared)) {
            if (config.service().pidFile() != null) {
                try {
                    pidFile = PidFile.write(config.service().pidFile(), ProcessHandle.current().pid());
                } catch (PidFile.RefusedException e) {
                    System.err.println("jcluster: " + e.getMessage());
                    return 2;
                }
            }
            try {
                store = Stores.open(config.store());
            } catch (RuntimeException e) {
                Log.info("cannot open the cluster store " + describe(config.store()) + " (" + Log.describe(e)
                        + "); stopping");
                return 1;
            }
            Log.info("cluster store: " + describe(config.store()));
            hub = new ClusterHub(store, (int) config.store().maxMessage());
            // before any worker: a purge from another host may arrive as soon as the store's messages flow
            CachePurges purges = routing.cache() == null ? null
                    : new CachePurges(routing.cache(), hub, !config.store().location().embedded());
            prepareWorkerHooks(control);
            List<String> argv = ParentRestart.appCommandLine(CommandLine.current());
            WorkerShares shares = WorkerShares.of(argv, ParentRestart.appEnvironment(System.getenv()), config.supervisor().processes(),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory());
            shares.notes().forEach(Log::info);
            WorkerCommand command = new WorkerCommand(argv, control.directory()).adding(shares.flags());
            logDifferences(command);
            Probe probe = routing.probe();
            routing.prepareWorkers(control.directory(), probe);
            // the hub learns who is in rotation (leadership) and when the worker count changes (scale); the service
            // state whether the cluster serves (GET /ready, systemd's READY=1)
            service = ServiceState.of(new LeadershipRouting(routing, hub), System.getenv());
            Supervisor supervisor = new Supervisor(config.supervisor(), config.health(), command, control.socketPath(),
                    control.secret(), service, probe,
                    () -> shutdown.request(1, "every worker was given up; nothing is left to serve"));
            service.countWorkers(supervisor::workerCount);
            supervisor.onReload(service);
            OptionReread reread = reread(control.directory());
            RunTimeSignals signals = new RunTimeSignals(supervisor, routing, reread, control.directory(), shutdown,
                    config);
            if (config.admin().enabled()) {
                try {
                    admin = AdminServer.start(config.admin().address(), adminToken, supervisor::maxProcesses,
                            new AdminBridge(supervisor, routing, hub, config.store().sharedSessions(), purges,
                                    service, signals::running));
                    Log.info("admin endpoint on http://" + Balancer.describe(config.admin().address())
                            + (adminToken == null ? "" : " (token required)"));
                } catch (IOException | RuntimeException e) {
                    Log.info("cannot open the admin endpoint on " + Balancer.describe(config.admin().address()) + " ("
                            + Log.describe(e) + "; is another process using that port?); stopping");
                    return 1;
                }
            }
            hub.countWorkers(supervisor::workerCount);
            // a worker's Tomcat (Jetty) tells where it would listen for SHUTDOWN (its STOP.KEY): the parent listens there
            control.hearStopPorts(stopPorts::heard);
            control.serve(supervisor, hub);
            shutdown.handleSignals(supervisor);
            signals.install();
            String ownFlags = ParentRestart.restartedWith();
            if (ownFlags != null) {
                // said here, after anything at startup that could fail: an error stays the one line it is
                Log.info("the parent runs with JVM flags of its own after the app's (it restarted itself once, same pid"
                        + " " + ProcessHandle.current().pid() + "): " + ownFlags + "; the workers run with the app's"
                        + " command line and environment as given (" + ParentRestart.SWITCH + "=keep: no restart)");
            }
            supervisor.startAll();
            if (ownFlags == null) {
                RunTimeHeap.tighten(Log::info, RunTimeHeap.Role.PARENT); // the app's heap flags sized it for the app
            }
            OldGenerationGuard.start(Log::info);
            // apps that name their log file without the worker's id: said once per file
            SharedLogFiles.start(() -> supervisor.workers().stream()
                    .map(worker -> Map.entry(worker.process().id(), worker.process().pid())).toList());
            service.stopRequested(shutdown.await());
            hub.stopping();
            return shutdown.stop(supervisor, routing);
        } finally {
            stopPorts.close();
            if (admin != null) {
                admin.close();
            }
            if (hub != null) {
                hub.close();
            }
            if (store != null) {
                store.close();
            }
            routing.close();
            if (service != null) {
                service.close();
            }
            if (pidFile != null) {
                pidFile.remove();
            }
            shutdown.finished();
        }
    }

    /** What SIGHUP compares its new reading of the options with; null (SIGHUP only reloads) if they cannot be read. */
    private OptionReread reread(Path controlDirectory) {
        try {
            OptionReread reread = OptionReread.of(agentArgument);
            reread.writeWorkerCopy(controlDirectory);
            return reread;
        } catch (OptionException | IOException e) {
            Log.info("the options cannot be read again (" + Log.describe(e) + "); SIGHUP will reload the workers"
                    + " without reading them, and each worker reads config= itself");
            return null;
        }
    }

    /** "embedded (64 MiB)", or the Redis URI (never with a password). */
    static String describe(StoreOptions store) {
        if (!store.location().embedded()) {
            return store.location().uri();
        }
        long size = store.sizeBytes();
        String shown = size % (1L << 20) == 0 ? (size >> 20) + " MiB"
                : size % 1024 == 0 ? (size >> 10) + " KiB" : size + " bytes";
        return "embedded (" + shown + ")";
    }

    /**
     * Premain, in the restarted parent: the directory {@link #prepareForRestart} made, if it is still private and
     * this user's (checked before anything in it is read), else null (said in one line).
     */
    public static Path handedOver() {
        Path directory = ParentRestart.handedOver().orElse(null);
        if (directory == null) {
            return null;
        }
        try {
            ControlDirectory.checkPrivate(directory);
            return directory;
        } catch (IOException e) {
            Log.info("not using " + directory + ", made before the parent's restart (" + Log.describe(e) + ")");
            return null;
        }
    }

    /** The control channel, in the directory made before the restart where there is one (and it is still ours). */
    private static ControlServer control(Path prepared) throws IOException {
        if (prepared != null) {
            try {
                return ControlServer.adopt(prepared);
            } catch (IOException e) {
                Log.info("not using " + prepared + ", made before the parent's restart (" + Log.describe(e) + ")");
            }
        }
        return ControlServer.open();
    }

    private static void prepareWorkerHooks(ControlServer control) {
        if (AgentInstaller.bindHooksPrepared(control.directory())) {
            return; // before the restart
        }
        try {
            AgentInstaller.prepareBindHooks(control.directory());
        } catch (IOException | RuntimeException e) {
            Log.error("could not prepare the workers' bind hooks (each worker will instrument itself, starting"
                    + " slower)", e);
        }
    }

    private void logDifferences(WorkerCommand command) {
        for (int id = 0; id < config.supervisor().processes(); id++) {
            List<String> differences = command.differences(id);
            if (!differences.isEmpty()) {
                Log.info("worker " + id + " runs with " + String.join(" ", differences)
                        + " (per-process ports and files differ from the parent's)");
            }
        }
    }

    private record Launch(Options options, String adminToken, String agentArgument, Path prepared) {
    }
}
