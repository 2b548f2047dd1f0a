package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.LogMode;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.log.Log;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts the workers, restarts those that crash (with back-off), and stops them all on shutdown. It knows
 * processes, not bytes: what a worker serves is passed on to {@link WorkerRouting}.
 */
public final class Supervisor implements ControlListener {

    private final Options options;
    private final WorkerCommand command;
    private final Path controlSocket;
    private final String secret;
    private final WorkerRouting routing;
    private final Runnable allGivenUp;
    private final WorkerSlot[] slots;
    /** Relays of the current workers' output; joined at shutdown so that their last lines are not lost. */
    private final List<Thread> relays = new ArrayList<>();
    private final Set<InetSocketAddress> reportedUnclustered = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jcluster-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private boolean stopping;

    /** @param allGivenUp runs when every slot has been given up: nothing is left to serve */
    public Supervisor(Options options, WorkerCommand command, Path controlSocket, String secret,
                      WorkerRouting routing, Runnable allGivenUp) {
        this.options = options;
        this.command = command;
        this.controlSocket = controlSocket;
        this.secret = secret;
        this.routing = routing;
        this.allGivenUp = allGivenUp;
        this.slots = new WorkerSlot[options.processes()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new WorkerSlot(i, options.restartDelay(), options.maxRestarts());
        }
    }

    public synchronized void startAll() {
        for (WorkerSlot slot : slots) {
            start(slot);
        }
    }

    private synchronized void start(WorkerSlot slot) {
        if (stopping) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(command.forWorker(slot.id));
        new WorkerEnvironment(slot.id, slots.length, controlSocket, secret).exportTo(builder.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (options.log() == LogMode.INHERIT) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            slot.process = null;
            scheduleRestart(slot, "could not be started (" + Log.describe(e) + ")");
            return;
        }
        if (options.log() == LogMode.PREFIX) {
            String prefix = "[w" + slot.id + "] ";
            relays.removeIf(relay -> !relay.isAlive());
            relays.add(OutputRelay.start(process.getInputStream(), System.out, prefix, "jcluster-w" + slot.id + "-out"));
            relays.add(OutputRelay.start(process.getErrorStream(), System.err, prefix, "jcluster-w" + slot.id + "-err"));
        }
        slot.process = process;
        slot.startedNanos = System.nanoTime();
        slot.state = WorkerSlot.State.STARTING;
        Log.info("worker " + slot.id + " started (pid " + process.pid() + ")");
        process.onExit().thenAccept(exited -> scheduler.execute(() -> exited(slot, exited)));
    }

    private synchronized void exited(WorkerSlot slot, Process process) {
        if (slot.process != process) {
            return; // an earlier process of this slot: its replacement's backends are not its to withdraw
        }
        routing.gone(slot.id);
        int status = process.exitValue();
        if (stopping) {
            slot.state = WorkerSlot.State.STOPPED;
            return;
        }
        scheduleRestart(slot, "exited with " + ExitStatus.describe(status));
    }

    private void scheduleRestart(WorkerSlot slot, String what) {
        long now = System.nanoTime();
        Duration delay = slot.restarts.afterExit(slot.uptime(now), now);
        String who = "worker " + slot.id + (slot.process == null ? "" : " (pid " + slot.process.pid() + ")");
        if (delay == null) {
            slot.state = WorkerSlot.State.GIVEN_UP;
            Log.info(who + " " + what + "; it was restarted "
                    + options.maxRestarts() + " times within " + RestartPolicy.WINDOW.toSeconds()
                    + "s, so it is given up (see its output above; raise max-restarts to keep trying)");
            checkAllGivenUp();
            return;
        }
        slot.state = WorkerSlot.State.WAITING_TO_RESTART;
        Log.info(who + " " + what + "; restarting in " + format(delay));
        scheduler.schedule(() -> start(slot), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkAllGivenUp() {
        for (WorkerSlot slot : slots) {
            if (slot.state != WorkerSlot.State.GIVEN_UP) {
                return;
            }
        }
        allGivenUp.run();
    }

    @Override
    public synchronized Session accept(int workerId, long pid) {
        if (workerId < 0 || workerId >= slots.length) {
            return null;
        }
        WorkerSlot slot = slots[workerId];
        Process process = slot.process;
        if (process == null || process.pid() != pid || slot.connectedPid == pid || !process.isAlive()) {
            return null;
        }
        slot.connectedPid = pid;
        slot.state = WorkerSlot.State.RUNNING;
        return new Session() {
            @Override
            public void bound(InetSocketAddress requested, int actualPort) {
                if (process.isAlive()) {
                    routing.bound(workerId, requested, actualPort);
                }
            }

            @Override
            public void unclustered(InetSocketAddress requested) {
                if (reportedUnclustered.add(requested)) {
                    Log.info("worker " + workerId + " binds " + requested.getAddress().getHostAddress() + ":"
                            + requested.getPort() + " itself: not clustered (port= option or a JMX port);"
                            + " if every worker binds it, all but one will fail");
                }
            }

            @Override
            public void closed() {
                synchronized (Supervisor.this) {
                    if (slot.process == process) {
                        routing.gone(workerId);
                    }
                }
            }
        };
    }

    /** No more restarts from now on. */
    public synchronized void stopRestarting() {
        stopping = true;
    }

    /**
     * SIGTERM to every worker (their shutdown hooks run), then SIGKILL to those still alive at {@code deadlineNanos}.
     * Returns once every worker process has exited.
     */
    public void terminateAll(long deadlineNanos) {
        List<Process> running = new ArrayList<>();
        synchronized (this) {
            stopping = true;
            for (WorkerSlot slot : slots) {
                if (slot.process != null && slot.process.isAlive()) {
                    running.add(slot.process);
                }
            }
        }
        running.forEach(Process::destroy);
        for (Process process : running) {
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left <= 0 || !process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    Log.info("worker pid " + process.pid() + " did not exit in time; killing it");
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll();
                return;
            }
        }
        scheduler.shutdownNow();
        awaitRelays();
    }

    private void awaitRelays() {
        List<Thread> running;
        synchronized (this) {
            running = new ArrayList<>(relays);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Thread relay : running) {
            long left = deadline - System.nanoTime();
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

    /** SIGKILL to every worker still alive, now. For a forced stop and for the parent's last breath. */
    public void killAll() {
        for (WorkerSlot slot : slots) {
            Process process = slot.process;
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
