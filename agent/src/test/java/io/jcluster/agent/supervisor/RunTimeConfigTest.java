package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.RecycleOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGHUP's new supervisor options (ready-timeout, health-interval/-threshold, restart-delay, max-restarts,
 * max-memory, max-processes, shutdown-timeout) take effect at the next decision, on a fake clock. The harness starts
 * with ready-timeout 10s, health-interval 1s, threshold 3, restart-delay 1s, max-memory 100 MiB, max-processes 8,
 * shutdown-timeout 5s.
 */
class RunTimeConfigTest {

    private static final long MIB = 1 << 20;

    private static SupervisorConfig config(Duration restartDelay, int maxRestarts, Duration readyTimeout,
                                           Duration healthInterval, int healthThreshold, Duration shutdownTimeout,
                                           long maxMemory, int maxProcesses) {
        return new SupervisorConfig(1, maxProcesses, restartDelay, maxRestarts, readyTimeout, healthInterval,
                healthThreshold, shutdownTimeout, maxMemory, RecycleOptions.OFF);
    }

    private static SupervisorConfig defaults() {
        return config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT, SupervisorHarness.HEALTH_INTERVAL, 3,
                Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 8);
    }

    @Test
    void aLowerHealthThresholdTakesAWorkerOutAtItsNextFailedProbe() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess worker = h.launcher.last();
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                Duration.ofSeconds(1), 1, Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 8));
        h.probeFailures.put(worker.pid(), "GET /health on 127.0.0.1:40000 answered 500");
        h.clock.advance(Duration.ofSeconds(1));
        assertFalse(h.routing.admitted(worker), "one failed probe is health-threshold=1 now (3 at launch)");
        assertEquals(2, h.launcher.count(), "and it is replaced");
    }

    @Test
    void aLongerHealthIntervalSpacesTheProbesFromTheNextOneOn() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess worker = h.launcher.last();
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                Duration.ofSeconds(10), 1, Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 8));
        h.clock.advance(Duration.ofSeconds(1)); // the probe scheduled at launch's 1s: passes, the next in 10s
        h.probeFailures.put(worker.pid(), "connect to 127.0.0.1:40000 failed (Connection refused)");
        h.clock.advance(Duration.ofSeconds(10).minusMillis(1));
        assertTrue(h.routing.admitted(worker), "no probe before health-interval=10s");
        h.clock.advance(Duration.ofMillis(1));
        assertFalse(h.routing.admitted(worker));
    }

    @Test
    void aLowerMaxMemoryReplacesAWorkerThatWasBelowTheOldOne() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess worker = h.launcher.last();
        for (int i = 0; i < 3; i++) {
            h.reportMemory(worker, 50 * MIB);
        }
        h.clock.runDue();
        assertEquals(1, h.launcher.count(), "50 MiB is below max-memory=100 MiB");
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(5), 40 * MIB, 8));
        for (int i = 0; i < 3; i++) {
            h.reportMemory(worker, 50 * MIB);
        }
        h.clock.runDue();
        assertEquals(2, h.launcher.count(), "above max-memory=40 MiB three reports in a row: replaced");
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(5), 0, 8));
        FakeProcess fresh = h.readyLast();
        for (int i = 0; i < 5; i++) {
            h.reportMemory(fresh, 500 * MIB);
        }
        h.clock.runDue();
        assertEquals(2, h.launcher.count(), "max-memory=off");
    }

    @Test
    void restartDelayAndMaxRestartsApplyFromTheNextCrash() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        h.supervisor.reconfigure(config(Duration.ofMillis(200), 1, SupervisorHarness.READY_TIMEOUT,
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 8));
        h.launcher.last().exit(1);
        h.clock.runDue();
        h.clock.advance(Duration.ofMillis(199));
        assertEquals(1, h.launcher.count());
        h.clock.advance(Duration.ofMillis(1));
        assertEquals(2, h.launcher.count(), "restarted after restart-delay=200ms (1s at launch)");
        h.launcher.last().exit(1);
        h.clock.runDue();
        h.clock.advance(Duration.ofMinutes(1));
        assertEquals(2, h.launcher.count(), "max-restarts=1 (3 at launch): the second crash in a row gives it up");
        assertEquals("given-up", h.supervisor.workers().get(0).state());
    }

    @Test
    void aShorterReadyTimeoutEndsAReloadWhoseReplacementIsNotReadySooner() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, Duration.ofSeconds(2),
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 8));
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        assertEquals(2, h.launcher.count());
        h.clock.advance(Duration.ofSeconds(2).minusMillis(1));
        assertFalse(reload.isDone());
        h.clock.advance(Duration.ofMillis(1));
        assertTrue(reload.isDone(), "ready-timeout=2s (10s at launch)");
        assertEquals(Outcome.Kind.FAILED, reload.join().kind());
        assertTrue(reload.join().message().contains("ready-timeout 2s"), reload.join().message());
    }

    @Test
    void aHigherMaxProcessesAllowsABiggerScale() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        assertEquals("processes=9: more than max-processes=8", h.supervisor.scale(9).join().message());
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(5), SupervisorHarness.MAX_MEMORY, 12));
        CompletableFuture<Outcome> scale = h.supervisor.scale(9);
        h.clock.runDue();
        assertEquals(9, h.supervisor.workerCount(), "max-processes=12 now");
        assertFalse(scale.isDone() && !scale.join().ok(), String.valueOf(scale.getNow(null)));
    }

    @Test
    void aShorterShutdownTimeoutBoundsTheNextDrain() {
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        FakeProcess old = h.launcher.last();
        h.routing.open.put(old.pid(), 1L); // a connection that never ends
        h.supervisor.reconfigure(config(Duration.ofSeconds(1), 3, SupervisorHarness.READY_TIMEOUT,
                SupervisorHarness.HEALTH_INTERVAL, 3, Duration.ofSeconds(1), SupervisorHarness.MAX_MEMORY, 8));
        CompletableFuture<Outcome> reload = h.supervisor.reload();
        h.clock.runDue();
        h.readyLast();
        h.clock.advance(Duration.ofMillis(1500));
        assertEquals(1, old.sigterms, "drained for shutdown-timeout=1s (5s at launch), then stopped");
        assertTrue(reload.join().message().contains("still open after shutdown-timeout 1s"), reload.join().message());
    }

    @Test
    void theDefaultsAreWhatTheHarnessRunsWith() {
        // guards the other tests' premise: reconfiguring to the harness's own values changes nothing
        SupervisorHarness h = new SupervisorHarness(1, 3).started();
        h.supervisor.reconfigure(defaults());
        FakeProcess worker = h.launcher.last();
        h.probeFailures.put(worker.pid(), "refused");
        h.clock.advance(Duration.ofMillis(1999));
        assertTrue(h.routing.admitted(worker), "two failed probes of three");
    }
}
