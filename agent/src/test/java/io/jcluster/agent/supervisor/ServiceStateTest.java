package io.jcluster.agent.supervisor;

import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.service.NotifyReceiver;
import io.jcluster.agent.service.ServiceState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What systemd and GET /ready learn from the supervisor's routing callbacks: a supervisor on the fake clock, and a
 * real NOTIFY_SOCKET the test reads.
 */
class ServiceStateTest {

    private ServiceState service;

    private SupervisorHarness harness(NotifyReceiver systemd) {
        Map<String, String> environment = systemd == null ? Map.of() : Map.of("NOTIFY_SOCKET", systemd.address());
        SupervisorHarness h = new SupervisorHarness(2, 3, routing -> service = ServiceState.of(routing, environment));
        service.countWorkers(h.supervisor::workerCount);
        h.supervisor.onReload(service);
        return h;
    }

    @Test
    void readyOnceTheFirstWorkerIsInRotationReloadingAroundAReloadStoppingAtTheStop() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractSocket()) {
            SupervisorHarness h = harness(systemd);
            try {
                h.supervisor.startAll();
                FakeProcess first = h.launcher.launched.get(0);
                FakeProcess second = h.launcher.launched.get(1);
                h.clock.runDue();
                assertNull(systemd.stateWithin(Duration.ofMillis(200)), "nothing serves yet: no READY=1");

                h.connect(first);
                h.clock.runDue();
                assertEquals("READY=1\nSTATUS=1 of 2 worker(s) in rotation; last: worker 0 (pid " + first.pid()
                        + ") in rotation", systemd.nextState());
                h.connect(second);
                h.clock.runDue();
                assertEquals("STATUS=2 of 2 worker(s) in rotation; last: worker 1 (pid " + second.pid()
                        + ") in rotation", systemd.nextState(), "READY=1 is sent once at startup");

                CompletableFuture<Outcome> reload = h.supervisor.reload();
                String reloading = systemd.nextState();
                assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=2 of 2 worker\\(s\\) in"
                        + " rotation; last: reloading"), reloading);
                h.clock.runDue();
                h.readyLast();
                h.clock.advance(Duration.ofMillis(500));
                h.readyLast();
                h.clock.advance(Duration.ofMillis(500));
                assertTrue(reload.isDone() && reload.join().ok(), String.valueOf(reload));
                List<String> during = new ArrayList<>();
                String message;
                while (!(message = systemd.nextState()).startsWith("READY=1")) {
                    during.add(message);
                }
                assertTrue(during.stream().allMatch(line -> line.startsWith("STATUS=")), during.toString());
                assertFalse(during.isEmpty(), "each worker that enters or leaves rotation updates the status");
                assertTrue(message.startsWith("READY=1\nSTATUS=2 of 2 worker(s) in rotation; last: reloaded 2"
                        + " worker(s): "), message);

                service.stopRequested("SIGTERM received");
                // the last old worker's exit may be told after the reload's end
                while (!(message = systemd.nextState()).startsWith("STOPPING=1")) {
                    assertTrue(message.startsWith("STATUS="), message);
                }
                assertEquals("STOPPING=1\nSTATUS=stopping: SIGTERM received", message);
            } finally {
                service.close();
            }
        }
    }

    @Test
    void aReloadAskedForWhileOneRunsIsBusyAndSystemdHearsReadyOnlyWhenTheFirstEnds() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractSocket()) {
            SupervisorHarness h = harness(systemd);
            try {
                h.started();
                assertTrue(systemd.nextState().startsWith("READY=1"));
                assertTrue(systemd.nextState().startsWith("STATUS=2 of 2"));
                CompletableFuture<Outcome> first = h.supervisor.reload();
                CompletableFuture<Outcome> second = h.supervisor.reload();
                assertEquals(Outcome.Kind.BUSY, second.join().kind());
                assertTrue(systemd.nextState().startsWith("RELOADING=1"));
                h.clock.runDue();
                h.readyLast();
                h.clock.advance(Duration.ofMillis(500));
                h.readyLast();
                h.clock.advance(Duration.ofMillis(500));
                assertTrue(first.isDone() && first.join().ok(), String.valueOf(first));
                String message;
                while (!(message = systemd.nextState()).startsWith("READY=1")) {
                    assertTrue(message.startsWith("STATUS="), "no second RELOADING=1: " + message);
                }
                assertTrue(message.contains("last: reloaded 2 worker(s)"), message);
            } finally {
                service.close();
            }
        }
    }

    @Test
    void aWorkerAdmittedBeforeItBindsAnythingDoesNotMakeTheClusterReady() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractSocket()) {
            SupervisorHarness h = harness(systemd);
            try {
                h.supervisor.startAll();
                FakeProcess first = h.launcher.launched.get(0);
                // connected, nothing bound yet: the cluster listens on nothing, so the worker passes its probe
                ControlListener.Session session = h.supervisor.accept(0, first.pid(), null);
                h.clock.runDue();
                assertTrue(h.routing.admitted(first), "admitted with nothing to serve");
                assertFalse(service.readiness().ready(), service.readiness().message());
                assertNull(systemd.stateWithin(Duration.ofMillis(200)), "no READY=1 while no listener is open");

                session.bound(SupervisorHarness.ADDRESS, 40_100);
                assertTrue(service.readiness().ready(), service.readiness().message());
                assertEquals("READY=1\nSTATUS=1 of 2 worker(s) in rotation; last: worker 0 (pid " + first.pid()
                        + ") in rotation", systemd.nextState());
            } finally {
                service.close();
            }
        }
    }

    @Test
    void readyWhileAWorkerIsInRotationAndTheClusterIsNotStopping() {
        SupervisorHarness h = harness(null);
        assertEquals(new ServiceState.Readiness(false, "not ready: no worker in rotation (starting)"),
                service.readiness());
        h.supervisor.startAll();
        FakeProcess first = h.launcher.launched.get(0);
        h.connect(first);
        h.clock.runDue();
        assertEquals(new ServiceState.Readiness(true, "ready: 1 of 2 worker(s) in rotation"), service.readiness());
        first.exit(1);
        h.clock.runDue();
        ServiceState.Readiness afterCrash = service.readiness();
        assertFalse(afterCrash.ready(), afterCrash.message());
        assertEquals("not ready: no worker in rotation (worker 0 (pid " + first.pid() + ") exited)",
                afterCrash.message());

        h.connect(h.launcher.launched.get(1));
        h.clock.runDue();
        assertTrue(service.readiness().ready());
        service.stopRequested("SIGTERM received");
        assertEquals(new ServiceState.Readiness(false, "not ready: the cluster is stopping"), service.readiness());
    }
}
