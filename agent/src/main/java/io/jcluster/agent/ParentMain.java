package io.jcluster.agent;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlServer;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.supervisor.CommandLine;
import io.jcluster.agent.supervisor.StopSignals;
import io.jcluster.agent.supervisor.Supervisor;
import io.jcluster.agent.supervisor.WorkerCommand;
import io.jcluster.agent.supervisor.WorkerRouting;
import io.jcluster.agent.supervisor.WorkerShares;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the parent JVM runs instead of the app: the launcher is redirected here by {@link Premain}. Wires the
 * control channel, the supervisor and the balancer together, then waits for SIGTERM or SIGINT.
 */
public final class ParentMain implements WorkerRouting {

    private static final int NOT_STOPPING = -1;

    private static volatile Options options;

    private final Options config;
    private final Balancer balancer;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean signalsHandled;
    private final AtomicInteger exitStatus = new AtomicInteger(NOT_STOPPING);
    private volatile Supervisor supervisor;

    private ParentMain(Options config, Balancer balancer) {
        this.config = config;
        this.balancer = balancer;
    }

    static void prepare(Options parsed) {
        options = parsed;
    }

    /** @param appArguments the app's arguments; the workers get them through the command line */
    public static void main(String[] appArguments) throws Exception {
        Options parsed = options;
        if (parsed == null) {
            System.err.println("jcluster: io.jcluster.agent.ParentMain is started by the jcluster agent, not by hand;"
                    + " run: java -javaagent:jcluster.jar=processes=N <your usual command line>");
            System.exit(2);
        }
        System.exit(new ParentMain(parsed, Balancer.start(parsed.strategy())).run());
    }

    private int run() throws IOException, InterruptedException {
        if (balancer.transportNote() != null) {
            Log.info(balancer.transportNote());
        }
        try (ControlServer control = ControlServer.open()) {
            prepareWorkerHooks(control);
            List<String> argv = CommandLine.current();
            WorkerShares shares = WorkerShares.of(argv, System.getenv(), config.processes(),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory());
            shares.notes().forEach(Log::info);
            WorkerCommand command = new WorkerCommand(argv, control.directory()).adding(shares.flags());
            logDifferences(command);
            supervisor = new Supervisor(config, command, control.socketPath(), control.secret(), this,
                    () -> requestStop(1, "every worker was given up; nothing is left to serve"));
            control.serve(supervisor);
            signalsHandled = StopSignals.install(this::stopSignal);
            Runtime.getRuntime().addShutdownHook(new Thread(this::jvmShuttingDown, "jcluster-shutdown"));
            supervisor.startAll();
            stop.await();
            return shutDown();
        } finally {
            balancer.close();
            stopped.countDown();
        }
    }

    private static void prepareWorkerHooks(ControlServer control) {
        try {
            AgentInstaller.prepareBindHooks(control.directory());
        } catch (IOException | RuntimeException e) {
            Log.error("could not prepare the workers' bind hooks (each worker will instrument itself, starting"
                    + " slower)", e);
        }
    }

    private void stopSignal(String signal) {
        if (!requestStop(0, signal + " received")) {
            Log.info(signal + " received again: killing the workers now");
            supervisor.killAll();
            Runtime.getRuntime().halt(1);
        }
    }

    /**
     * Without signal handlers, SIGTERM/SIGINT arrive here: the graceful stop runs on the main thread while this hook
     * waits, then the hook ends the JVM with the right status. In every case no worker outlives this JVM.
     */
    private void jvmShuttingDown() {
        if (!signalsHandled && requestStop(0, "SIGTERM or SIGINT received")) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            supervisor.killAll();
            Runtime.getRuntime().halt(exitStatus.get());
        }
        supervisor.killAll();
    }

    private int shutDown() throws InterruptedException {
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        supervisor.stopRestarting();
        balancer.stopAccepting();
        int open = balancer.drain(deadline);
        if (open > 0) {
            Log.info(open + " connection(s) still open after shutdown-timeout " + config.shutdownTimeout().toSeconds()
                    + "s; closing them");
        }
        // workers get at least a second for their shutdown hooks, even when draining used up the timeout
        supervisor.terminateAll(Math.max(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
        Log.info("stopped");
        return exitStatus.get();
    }

    /** Returns false when a stop was already under way. */
    private boolean requestStop(int status, String why) {
        if (!exitStatus.compareAndSet(NOT_STOPPING, status)) {
            return false;
        }
        Log.info(why + "; stopping (up to " + config.shutdownTimeout().toSeconds() + "s for open connections)");
        stop.countDown();
        return true;
    }

    private void logDifferences(WorkerCommand command) {
        for (int id = 0; id < config.processes(); id++) {
            List<String> differences = command.differences(id);
            if (!differences.isEmpty()) {
                Log.info("worker " + id + " runs with " + String.join(" ", differences)
                        + " (per-process ports and files differ from the parent's)");
            }
        }
    }

    @Override
    public void bound(int workerId, InetSocketAddress requested, int actualPort) {
        Backend backend = new Backend(workerId, new InetSocketAddress(InetAddress.getLoopbackAddress(), actualPort));
        try {
            if (balancer.serve(requested, backend)) {
                Log.info("listening on " + Balancer.describe(requested) + " -> " + config.processes() + (config.processes() == 1 ? " worker (" : " workers (")
                        + config.strategy().optionValue() + ", tcp, " + balancer.transportName() + ")");
            }
        } catch (IOException | RuntimeException e) {
            requestStop(1, "cannot listen on " + Balancer.describe(requested) + " (" + Log.describe(e)
                    + "; is another server using that port?)");
        }
    }

    @Override
    public void gone(int workerId) {
        balancer.withdraw(workerId);
    }
}
