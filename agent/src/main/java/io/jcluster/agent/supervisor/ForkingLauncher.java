package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.AdminToken;
import io.jcluster.agent.config.LogMode;
import io.jcluster.agent.config.StoreOptions;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.memory.ParentRestart;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/** Forks worker JVMs from the parent's own command line, their output relayed or inherited as log= says. */
final class ForkingLauncher implements ProcessLauncher {

    private final WorkerCommand command;
    private final Path controlSocket;
    private final String secret;
    private final LogMode log;
    /** Relays of the workers' output; joined at shutdown so that their last lines are not lost. */
    @GuardedBy("this")
    private final List<Thread> relays = new ArrayList<>();

    /**
     * The parent's environment, which the workers inherit except for {@link #PARENT_ONLY}; never changed, read by
     * whichever thread launches a worker.
     */
    private final ConcurrentMap<String, String> environment;

    /**
     * Secrets only the parent uses: a worker runs the app, which has no use for them. And systemd's notification
     * socket and watchdog: they are the parent's (an app that speaks sd_notify would report for the whole service).
     */
    static final List<String> PARENT_ONLY = List.of(AdminToken.ENVIRONMENT, StoreOptions.PASSWORD_ENVIRONMENT,
            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

    ForkingLauncher(WorkerCommand command, Path controlSocket, String secret, LogMode log) {
        // the app's environment: the parent's own restart (JDK 22+) changed _JAVA_OPTIONS for the parent only
        this(command, controlSocket, secret, log, ParentRestart.appEnvironment(System.getenv()));
    }

    ForkingLauncher(WorkerCommand command, Path controlSocket, String secret, LogMode log,
                    Map<String, String> environment) {
        this.command = command;
        this.controlSocket = controlSocket;
        this.secret = secret;
        this.log = log;
        this.environment = new ConcurrentHashMap<>(environment);
    }

    @Override
    public Process launch(int id, int workerCount) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command.forWorker(id));
        Map<String, String> workerEnvironment = builder.environment();
        workerEnvironment.clear();
        workerEnvironment.putAll(environment);
        workerEnvironment.keySet().removeAll(PARENT_ONLY);
        new WorkerEnvironment(id, workerCount, controlSocket, secret).exportTo(builder.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (log == LogMode.INHERIT) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = builder.start();
        if (log == LogMode.PREFIX) {
            boolean json = Log.json();
            RelayedLine out = json ? RelayedLine.json(id, process.pid(), "stdout") : RelayedLine.prefixed(id);
            RelayedLine err = json ? RelayedLine.json(id, process.pid(), "stderr") : out;
            synchronized (this) {
                relays.removeIf(relay -> !relay.isAlive());
                relays.add(OutputRelay.start(process.getInputStream(), System.out, out, "jcluster-w" + id + "-out"));
                relays.add(OutputRelay.start(process.getErrorStream(), System.err, err, "jcluster-w" + id + "-err"));
            }
        }
        return process;
    }

    @Override
    public void awaitOutput(long deadlineNanos) {
        List<Thread> running;
        synchronized (this) {
            running = new ArrayList<>(relays);
        }
        for (Thread relay : running) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                try {
                    relay.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
