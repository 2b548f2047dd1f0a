package io.jcluster.agent.supervisor;

import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.config.RecycleOptions;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.supervisor.probe.Probe;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A supervisor on a fake clock, with fake processes, fake routing and a probe whose answer the test sets: every
 * state transition happens only when the test steps the clock.
 */
final class SupervisorHarness {

    static final InetSocketAddress ADDRESS = new InetSocketAddress(8080);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
    static final long MAX_MEMORY = 100L << 20;

    final ManualScheduler clock = new ManualScheduler();
    final FakeLauncher launcher = new FakeLauncher();
    final FakeRouting routing = new FakeRouting();
    /** A probe's answer by pid; absent: healthy. */
    final Map<Long, String> probeFailures = new ConcurrentHashMap<>();
    final AtomicInteger allGivenUp = new AtomicInteger();
    final Supervisor supervisor;
    private final Map<Long, ControlListener.Session> sessions = new HashMap<>();
    private int nextPort = 40_000;

    SupervisorHarness(int processes, int maxRestarts) {
        this(processes, maxRestarts, routing -> routing);
    }

    /** @param decorate what the supervisor is given instead of the fake routing (a decorator around it) */
    SupervisorHarness(int processes, int maxRestarts, UnaryOperator<WorkerRouting> decorate) {
        this(processes, maxRestarts, decorate, RecycleOptions.OFF);
    }

    /** A cluster that recycles its workers by {@code recycle}. */
    SupervisorHarness(int processes, RecycleOptions recycle) {
        this(processes, 3, routing -> routing, recycle);
    }

    private SupervisorHarness(int processes, int maxRestarts, UnaryOperator<WorkerRouting> decorate,
                              RecycleOptions recycle) {
        SupervisorConfig config = new SupervisorConfig(processes, 8, Duration.ofSeconds(1), maxRestarts,
                READY_TIMEOUT, HEALTH_INTERVAL, 3, Duration.ofSeconds(5), MAX_MEMORY, recycle);
        Probe probe = (pid, bound, timeoutMillis) -> probeFailures.get(pid);
        supervisor = new Supervisor(config, launcher, clock, decorate.apply(routing), probe,
                allGivenUp::incrementAndGet);
    }

    /** Starts the cluster and makes every worker ready. */
    SupervisorHarness started() {
        supervisor.startAll();
        for (FakeProcess process : launcher.launched) {
            connect(process);
        }
        clock.runDue();
        return this;
    }

    /** {@code process} connects its control channel and binds the clustered address; it is ready at the next probe. */
    void connect(FakeProcess process) {
        int id = launcher.ids.get(launcher.launched.indexOf(process));
        ControlListener.Session session = supervisor.accept(id, process.pid(), null);
        if (session == null) {
            throw new AssertionError("the supervisor refused " + process);
        }
        sessions.put(process.pid(), session);
        session.bound(ADDRESS, nextPort++);
    }

    /** The last process launched connects and becomes ready. */
    FakeProcess readyLast() {
        FakeProcess process = launcher.last();
        connect(process);
        clock.runDue();
        return process;
    }

    void reportMemory(FakeProcess process, long residentBytes) {
        sessions.get(process.pid()).stats(new ControlMessage.Stats(residentBytes, 1, 0, 10));
    }

    /** The pid serving worker {@code id} as the admin endpoint shows it, and its state. */
    String serving(int id) {
        for (Supervisor.WorkerInfo info : supervisor.workers()) {
            if (info.process().id() == id && info.state().equals("ready")) {
                return info.process().pid() + " ready";
            }
        }
        return "none ready";
    }
}
