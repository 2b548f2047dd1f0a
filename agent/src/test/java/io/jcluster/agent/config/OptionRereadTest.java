package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGHUP's second reading of the options: what changed, what may change at run time, what is refused. */
class OptionRereadTest {

    private static final String FILE = "/etc/jcluster/app.properties";
    private static final String ARGUMENT = "config=" + FILE + ",mode=http";

    private final FakeMachine machine = new FakeMachine().file(FILE, "processes=2\nstrategy=round-robin\n");

    @Test
    void nothingChangedIsNoChange() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        OptionReread.Change change = reread.reread();
        assertFalse(change.refused(), change.refusal());
        assertEquals(Set.of(), change.changed());
        assertEquals(2, change.options().supervisor().processes());
    }

    @Test
    void processesStrategyAndRecyclingChangeAtRunTime() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=3\nstrategy=random\nmax-requests=100\nmax-requests-jitter=20\nmax-age=10m\n");
        OptionReread.Change change = reread.reread();
        assertFalse(change.refused(), change.refusal());
        assertEquals(Set.of(Option.PROCESSES, Option.STRATEGY, Option.MAX_REQUESTS, Option.MAX_REQUESTS_JITTER,
                Option.MAX_AGE), change.changed());
        assertEquals(3, change.options().supervisor().processes());
        assertEquals(Strategy.RANDOM, change.options().proxy().strategy());
        assertEquals(new RecycleOptions(100, 20, Duration.ofMinutes(10)), change.options().supervisor().recycle());
        assertEquals(Set.of(), reread.reread().changed(), "what was applied is what the cluster runs with now");
    }

    @Test
    void aChangedPortIsRefusedWithOneLineAndTheRunningConfigurationIsKept() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=3\nstrategy=round-robin\nport=8081\n");
        OptionReread.Change change = reread.reread();
        assertTrue(change.refused());
        assertNull(change.options(), "nothing of a refused reading is applied, processes=3 included");
        assertEquals("port changed: it applies at launch only (restart the cluster to change it); the running"
                + " configuration is kept", change.refusal());
        assertFalse(change.refusal().contains("\n"));

        machine.file(FILE, "processes=3\nstrategy=round-robin\n");
        OptionReread.Change fixed = reread.reread();
        assertEquals(Set.of(Option.PROCESSES), fixed.changed(), "compared with the running configuration, still 2");
    }

    @Test
    void severalLaunchOnlyOptionsAreNamedTogether() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=2\nstrategy=round-robin\ntransport=nio\nport=9090\n");
        OptionReread.Change change = reread.reread();
        assertEquals("port, transport changed: they apply at launch only (restart the cluster to change them); the"
                + " running configuration is kept", change.refusal());
    }

    /** The old code refused each of these with "applies at launch only". */
    @Test
    void timeoutsLimitsHealthRestartsAndMemoryChangeAtRunTime() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=2\nstrategy=round-robin\nheader-timeout=2s\nidle-timeout=30s\n"
                + "response-timeout=20s\nbody-timeout=15s\nsend-timeout=25s\nqueue-timeout=1s\nready-timeout=40s\n"
                + "shutdown-timeout=10s\nmax-connections=100\nmax-queue=10\n"
                + "health=/health\nhealth-interval=2s\nhealth-threshold=5\nmax-memory=512m\nrestart-delay=500ms\n"
                + "max-restarts=4\nmax-processes=6\nsticky=cookie\ntrusted-proxies=10.0.0.0/8\nh2c-upgrade=pass\n"
                + "cache-status-header=off\n");
        OptionReread.Change change = reread.reread();
        assertFalse(change.refused(), change.refusal());
        assertEquals(21, change.changed().size(), change.changed().toString());
        assertTrue(OptionReread.AT_RUN_TIME.containsAll(change.changed()));
        Options next = change.options();
        assertEquals(Duration.ofSeconds(2), next.http().headerTimeout());
        assertEquals(Duration.ofSeconds(25), next.http().sendTimeout());
        assertEquals(100, next.proxy().maxConnections());
        assertEquals("/health", next.health().path());
        assertEquals(512L << 20, next.supervisor().maxMemory());
        assertEquals(Duration.ofMillis(500), next.supervisor().restartDelay());
        assertEquals(4, next.supervisor().maxRestarts());
        assertEquals(6, next.supervisor().maxProcesses());
        assertEquals(Set.of(), reread.reread().changed());
    }

    @Test
    void whatStaysFixedIsNamedAndNothingOfTheReadingIsApplied() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=2\nstrategy=round-robin\nheader-timeout=2s\nlog=inherit\ntransport=nio\n"
                + "store-timeout=1s\ncache=64m\n");
        OptionReread.Change change = reread.reread();
        assertEquals("log, transport, store-timeout, cache changed: they apply at launch only (restart the cluster to"
                + " change them); the running configuration is kept", change.refusal());
        machine.file(FILE, "processes=2\nstrategy=round-robin\n");
        assertEquals(Set.of(), reread.reread().changed(), "header-timeout=2s was not taken either");
    }

    @Test
    void aBadValueOfAnOptionThatChangesAtRunTimeRefusesTheWholeReading() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=3\nstrategy=random\nmax-connections=100\nheader-timeout=soon\n");
        OptionReread.Change change = reread.reread();
        assertTrue(change.refused());
        assertNull(change.options());
        assertEquals("header-timeout=soon: expected " + Option.HEADER_TIMEOUT.accepts()
                + "; the running configuration is kept", change.refusal());
        machine.file(FILE, "processes=2\nstrategy=round-robin\nmax-connections=-1\n");
        assertTrue(reread.reread().refusal().startsWith("max-connections=-1: "), "the limits are checked too");
        machine.file(FILE, "processes=2\nstrategy=round-robin\n");
        assertEquals(Set.of(), reread.reread().changed(), "processes=3, max-connections=100 were not taken");
    }

    @Test
    void aBadValueIsRefusedWithItsOwnLine() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.file(FILE, "processes=2\nstrategy=fastest\n");
        OptionReread.Change change = reread.reread();
        assertTrue(change.refused());
        assertEquals("strategy=fastest: expected " + Option.STRATEGY.accepts() + "; the running configuration is kept",
                change.refusal());
    }

    @Test
    void aRemovedConfigFileIsRefused() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT, machine);
        machine.files.clear();
        assertEquals("config=" + FILE + ": file not found; the running configuration is kept",
                reread.reread().refusal());
    }

    /**
     * A worker started after an edit the parent refused (here: a port change) must not run with it: it reads the
     * parent's copy of the options, not the edited file. Without the copy it would think the app's port unclustered
     * and bind it itself (seen in RecyclingIT: "Address already in use").
     */
    @Test
    void workersReadTheParentsCopyNotTheEditedFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.properties"), "port=8080\nadmin-token=s3cret-token\n");
        Path control = Files.createDirectory(dir.resolve("control"));
        String argument = "config=" + file + ",processes=2";
        OptionReread reread = new OptionReread(argument, Machine.LOCAL);
        reread.writeWorkerCopy(control);
        Files.writeString(file, "port=9090\n");
        assertTrue(reread.reread().refused());

        Options worker = OptionParser.parseInWorker(argument, control);
        assertEquals(List.of(8080), worker.proxy().ports(), "the parent's running port, not the edit");
        assertFalse(Files.readString(control.resolve(OptionReread.WORKER_COPY)).contains("s3cret"),
                "no worker needs the admin token");
        assertEquals(List.of(9090), OptionParser.parseInWorker(argument).proxy().ports(),
                "(the file itself says 9090)");
    }

    @Test
    void theAgentArgumentStillWinsOverTheFile() throws OptionException {
        OptionReread reread = new OptionReread(ARGUMENT + ",strategy=least-connections", machine);
        machine.file(FILE, "processes=2\nstrategy=random\n");
        OptionReread.Change change = reread.reread();
        assertEquals(Set.of(), change.changed());
        assertEquals(Strategy.LEAST_CONNECTIONS, change.options().proxy().strategy());
    }
}
