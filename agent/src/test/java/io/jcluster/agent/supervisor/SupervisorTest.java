package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor's state transitions, on a fake clock with fake processes: nothing here sleeps or forks. */
class SupervisorTest {

    private static final long MIB = 1 << 20;

    /** The outcome of an operation that must have ended by now (on the fake clock nothing ends later by itself). */
    private static Outcome done(CompletableFuture<Outcome> operation) {
        assertTrue(operation.isDone(), "the operation has not ended");
        return operation.join();
    }

    @Test
    void aCrashLoopBacksOffDoublingThenGivesUpAfterMaxRestarts() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        long[] delaysMillis = {1000, 2000, 4000};
        for (int crash = 0; crash < delaysMillis.length; crash++) {
            h.launcher.last().exit(1);
            h.clock.runDue();
            assertEquals("none ready", h.serving(0));
            assertEquals("restarting", h.supervisor.workers().get(0).state());
            h.clock.advance(Duration.ofMillis(delaysMillis[crash] - 1));
            assertEquals(crash + 1, h.launcher.count(), "restarted before its back-off of " + delaysMillis[crash] + "ms");
            h.clock.advance(Duration.ofMillis(1));
            assertEquals(crash + 2, h.launcher.count(), "restarted after " + delaysMillis[crash] + "ms");
        }
        h.launcher.last().exit(1);
        h.clock.runDue();
        h.clock.advance(Duration.ofMinutes(2));
        assertEquals(4, h.launcher.count(), "a slot past max-restarts crashes in a row is not restarted again");
        assertEquals("given-up", h.supervisor.workers().get(0).state());
        assertEquals(3, h.supervisor.workers().get(0).restarts());
        assertEquals(1, h.allGivenUp.get(), "with every slot given up the parent is told");
    }

    /**
     * Acceptance 6: a worker whose app exits at start is given up after a bounded time, at the defaults too (the old
     * rule, max-restarts within a fixed 60 s, never tripped once the back-off reached 30 s). The other slot serves
     * on, so the parent is not told that nothing is left.
     */
    @Test
    void aWorkerWhoseAppExitsAtStartIsGivenUpWithinAboutThreeMinutesAtTheDefaults() {
        SupervisorHarness h = new SupervisorHarness(2, 10).started();
        long firstStart = h.clock.nanoTime();
        for (int crash = 0; crash < 11; crash++) {
            FakeProcess last = h.launcher.last();
            h.clock.advance(Duration.ofMillis(500)); // the app exits half a second after its start
            last.exit(1);
            h.clock.runDue();
            if (crash < 10) {
                long before = h.launcher.count();
                h.clock.advance(RestartPolicy.MAX_DELAY);
                assertEquals(before + 1, h.launcher.count(), "restart " + (crash + 1) + " of 10");
            }
        }
        assertEquals("given-up", h.supervisor.workers().stream().filter(w -> w.process().id() == 1).findFirst()
                .orElseThrow().state());
        Duration tookToGiveUp = Duration.ofNanos(h.clock.nanoTime() - firstStart);
        assertTrue(tookToGiveUp.compareTo(Duration.ofMinutes(6)) < 0, "given up in bounded time: " + tookToGiveUp);
        h.clock.advance(Duration.ofMinutes(10));
        assertEquals(12, h.launcher.count(), "a given-up slot is not restarted again");
        assertEquals(0, h.allGivenUp.get(), "worker 0 still serves: the cluster goes on");
        assertEquals(h.launcher.launched.get(0).pid() + " ready", h.serving(0));
    }

    @Test
    void aReloadReplacesOneWorkerAtATimeEachReadyBeforeItsPredecessorLeaves() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        FakeProcess old0 = h.launcher.launched.get(0);
        FakeProcess old1 = h.launcher.launched.get(1);
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        assertEquals(3, h.launcher.count(), "one replacement at a time");
        assertTrue(h.routing.admitted(old0), "the old worker serves until its replacement is ready");

        FakeProcess new0 = h.readyLast();
        assertTrue(h.routing.admitted(new0));
        assertTrue(h.routing.withdrawn.contains(old0.pid()), "the old worker leaves rotation once its successor serves");
        h.routing.open.put(old0.pid(), 2L);
        h.clock.advance(Duration.ofMillis(300));
        assertFalse(old0.signalled(), "not stopped while connections to it are open");
        assertEquals(3, h.launcher.count(), "the next worker waits until this one is drained");
        h.routing.open.remove(old0.pid());
        h.clock.advance(Duration.ofMillis(200));
        assertEquals(1, old0.sigterms);
        assertEquals(4, h.launcher.count(), "then the next worker is replaced");
        assertFalse(old1.signalled());

        FakeProcess new1 = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(1, old1.sigterms);
        Outcome outcome = done(reload);
        assertEquals(Outcome.Kind.DONE, outcome.kind(), outcome.message());
        assertTrue(outcome.message().startsWith("reloaded 2 worker(s): worker 0 pid " + old0.pid() + " -> " + new0.pid()
                + " (reload, old one drained in 500ms)"), outcome.message());
        assertEquals(new0.pid() + " ready", h.serving(0));
        assertEquals(new1.pid() + " ready", h.serving(1));
    }

    @Test
    void aReplacementThatNeverGetsReadyIsStoppedAndTheOldWorkerKeepsServing() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        FakeProcess old0 = h.launcher.launched.get(0);
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        FakeProcess fresh = h.launcher.last();
        h.clock.advance(SupervisorHarness.READY_TIMEOUT.minusMillis(1));
        assertFalse(reload.isDone());
        h.clock.advance(Duration.ofMillis(1));
        Outcome outcome = done(reload);
        assertEquals(Outcome.Kind.FAILED, outcome.kind());
        assertEquals("reload stopped at worker 0: worker 0's replacement (pid " + fresh.pid() + ") was not ready within"
                + " ready-timeout 10s (it has not bound 0.0.0.0:8080); worker 0 (pid " + old0.pid() + ") keeps serving",
                outcome.message());
        assertEquals(1, fresh.sigterms, "the replacement is stopped");
        assertFalse(old0.signalled());
        assertTrue(h.routing.admitted(old0));
        assertEquals(old0.pid() + " ready", h.serving(0));
        assertEquals(3, h.launcher.count(), "the reload stops at the first failure");
    }

    @Test
    void aReplacementThatExitsBeforeItIsReadyFailsTheReload() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        h.launcher.last().exit(1);
        h.clock.runDue();
        Outcome outcome = done(reload);
        assertEquals(Outcome.Kind.FAILED, outcome.kind());
        assertTrue(outcome.message().contains("exited with status 1 before it was ready (see its output above)"),
                outcome.message());
        assertEquals(2, h.launcher.count(), "a replacement that exits is not restarted: the old worker serves");
        assertEquals(h.launcher.launched.get(0).pid() + " ready", h.serving(0));
    }

    @Test
    void anUnhealthyWorkerLeavesRotationAtOnceButIsReplacedOnlyInItsTurnAfterARunningReload() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        FakeProcess old1 = h.launcher.launched.get(1);
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        assertEquals(3, h.launcher.count());

        h.probeFailures.put(old1.pid(), "connect to 127.0.0.1:40001 failed (Connection refused)");
        h.clock.advance(Duration.ofSeconds(2));
        assertTrue(h.routing.withdrawn.contains(old1.pid()), "out of rotation after health-threshold failed probes");
        assertEquals(3, h.launcher.count(), "no second replacement while the reload's one is under way");
        assertFalse(old1.signalled());

        h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(4, h.launcher.count(), "the reload goes on to worker 1");
        FakeProcess new1 = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(Outcome.Kind.DONE, done(reload).kind(), done(reload).message());
        h.clock.advance(Duration.ofSeconds(5));
        assertEquals(4, h.launcher.count(), "the health replacement finds its worker already replaced");
        assertEquals(1, old1.sigterms);
        assertEquals(new1.pid() + " ready", h.serving(1));
    }

    @Test
    void anUnhealthyWorkerIsReplacedAtOnceWhenNothingElseRunsAndKilledIfItIgnoresSigterm() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess stuck = h.launcher.last();
        stuck.exitsOnSigterm = false;
        h.probeFailures.put(stuck.pid(), "GET /health on 127.0.0.1:40000: no answer within 500ms");
        h.clock.advance(Duration.ofMillis(1999));
        assertTrue(h.routing.admitted(stuck), "two failed probes: still in rotation");
        h.clock.advance(Duration.ofMillis(1));
        assertFalse(h.routing.admitted(stuck));
        assertEquals(2, h.launcher.count(), "its successor starts without waiting");
        assertEquals(1, stuck.sigterms);
        h.clock.advance(Duration.ofMillis(4999));
        assertEquals(0, stuck.sigkills);
        h.clock.advance(Duration.ofMillis(1));
        assertEquals(1, stuck.sigkills, "SIGKILL after the grace");
        FakeProcess fresh = h.readyLast();
        assertEquals(fresh.pid() + " ready", h.serving(0));
        assertEquals(1, h.supervisor.workers().get(0).restarts());
    }

    @Test
    void scaleOrRestartDuringAReloadIsBusyAndWorksOnceItIsDone() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        Outcome scale = done(h.supervisor.scale(3));
        assertEquals(Outcome.Kind.BUSY, scale.kind());
        assertEquals("busy: another reload, scale or restart is running; try again when it is done", scale.message());
        assertEquals(Outcome.Kind.BUSY, done(h.supervisor.restart(0)).kind());
        assertEquals(3, h.launcher.count());

        h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertTrue(done(reload).ok());
        CompletableFuture<Outcome> scaled = h.supervisor.scale(3);
        h.clock.runDue();
        h.readyLast();
        assertEquals(Outcome.done("scaled up from 2 to 3 worker(s)"), done(scaled));
        assertEquals(2, h.launcher.ids.get(h.launcher.count() - 1));
    }

    @Test
    void scalingDownDrainsTheHighestIds() {
        SupervisorHarness h = new SupervisorHarness(3, 3).started();
        CompletableFuture<Outcome> scaled = h.supervisor.scale(1);
        h.clock.advance(Duration.ofMillis(200));
        Outcome outcome = done(scaled);
        assertTrue(outcome.message().startsWith("scaled down from 3 to 1 worker(s): worker 2 old one drained in"),
                outcome.message());
        assertFalse(h.launcher.launched.get(0).signalled());
        assertEquals(1, h.launcher.launched.get(1).sigterms);
        assertEquals(1, h.launcher.launched.get(2).sigterms);
        assertEquals(1, h.supervisor.workers().size());
    }

    @Test
    void restartReplacesOnlyTheWorkerAskedFor() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        FakeProcess old0 = h.launcher.launched.get(0);
        FakeProcess old1 = h.launcher.launched.get(1);
        CompletableFuture<Outcome> restart = h.supervisor.restart(1);
        h.clock.runDue();
        assertEquals(1, h.launcher.ids.get(2));
        FakeProcess fresh = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        Outcome outcome = done(restart);
        assertTrue(outcome.message().startsWith("worker 1 pid " + old1.pid() + " -> " + fresh.pid()
                + " (restart requested, old one drained in"), outcome.message());
        assertFalse(old0.signalled());
        assertEquals(1, old1.sigterms);
        assertEquals(old0.pid() + " ready", h.serving(0));
        assertEquals(fresh.pid() + " ready", h.serving(1));

        CompletableFuture<Outcome> none = h.supervisor.restart(7);
        h.clock.runDue();
        assertEquals(Outcome.failed("no worker 7 (workers are 0..1)"), done(none));
    }

    @Test
    void stoppingDuringAReloadEndsItAndRestartsNothing() {
        SupervisorHarness h = new SupervisorHarness(2, 3).started();
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        h.supervisor.stopRestarting();
        FakeProcess new0 = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        Outcome outcome = done(reload);
        assertEquals(Outcome.Kind.FAILED, outcome.kind());
        assertTrue(outcome.message().startsWith("reload stopped at worker 1: the cluster is stopping; already replaced:"
                + " worker 0"), outcome.message());
        assertEquals(3, h.launcher.count());

        new0.exit(1);
        h.clock.advance(Duration.ofMinutes(1));
        assertEquals(3, h.launcher.count(), "no crash restart while stopping");
        CompletableFuture<Outcome> again = h.supervisor.reload();
        h.clock.runDue();
        assertEquals(Outcome.failed("the cluster is stopping"), done(again));

        h.supervisor.terminateAll(h.clock.nanoTime() + Duration.ofSeconds(1).toNanos());
        for (FakeProcess process : h.launcher.launched) {
            assertFalse(process.isAlive(), process + " outlives the parent");
        }
        Outcome afterwards = done(h.supervisor.scale(1));
        assertEquals(Outcome.Kind.FAILED, afterwards.kind());
        assertTrue(afterwards.message().startsWith("scale not started: "), afterwards.message());
    }

    @Test
    void aWorkerAboveMaxMemoryForThreeReportsInARowIsReplacedReadyFirst() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess big = h.launcher.last();
        long above = SupervisorHarness.MAX_MEMORY + MIB;
        h.reportMemory(big, above);
        h.reportMemory(big, above);
        h.reportMemory(big, SupervisorHarness.MAX_MEMORY);
        h.reportMemory(big, above);
        h.reportMemory(big, above);
        h.clock.runDue();
        assertEquals(1, h.launcher.count(), "a report below the limit starts the count afresh");
        h.reportMemory(big, above);
        h.clock.runDue();
        assertEquals(2, h.launcher.count());
        h.reportMemory(big, above);
        h.clock.runDue();
        assertEquals(2, h.launcher.count(), "asked once");
        assertTrue(h.routing.admitted(big), "serves until its replacement is ready");
        FakeProcess fresh = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(1, big.sigterms);
        assertEquals(fresh.pid() + " ready", h.serving(0));
    }
}
