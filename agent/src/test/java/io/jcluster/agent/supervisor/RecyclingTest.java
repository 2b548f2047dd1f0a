package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.RecycleOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** max-requests, max-requests-jitter and max-age, on the supervisor's fake clock. */
class RecyclingTest {

    private static RecycleOptions maxRequests(long limit, long jitter) {
        return new RecycleOptions(limit, jitter, Duration.ZERO);
    }

    private static RecycleOptions maxAge(Duration age) {
        return new RecycleOptions(0, 0, age);
    }

    @Test
    void aWorkerPastMaxRequestsIsReplacedReadyFirstAndTheOthersWaitTheirTurn() {
        SupervisorHarness h = new SupervisorHarness(2, maxRequests(100, 0));
        h.started();
        FakeProcess old0 = h.launcher.launched.get(0);
        FakeProcess old1 = h.launcher.launched.get(1);
        h.routing.passed.put(old0.pid(), 99L);
        h.clock.advance(Duration.ofSeconds(5));
        assertEquals(2, h.launcher.count(), "99 of 100: not yet");

        h.routing.passed.put(old0.pid(), 100L);
        h.routing.passed.put(old1.pid(), 250L);
        h.clock.advance(Recycler.CHECK);
        assertEquals(3, h.launcher.count(), "both are due, one replacement at a time");
        assertTrue(h.routing.admitted(old0) && h.routing.admitted(old1), "both serve until a replacement is ready");
        h.clock.advance(Duration.ofSeconds(3));
        assertEquals(3, h.launcher.count(), "the second waits while the first replacement is not ready");

        FakeProcess new0 = h.readyLast();
        assertTrue(h.routing.admitted(new0));
        assertTrue(h.routing.withdrawn.contains(old0.pid()), "the old worker leaves once its successor serves");
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(1, old0.sigterms, "drained (nothing open), then stopped");
        assertEquals(4, h.launcher.count(), "then worker 1's turn");
        assertTrue(h.routing.admitted(old1));
        FakeProcess new1 = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(1, old1.sigterms);
        assertEquals(new0.pid() + " ready", h.serving(0));
        assertEquals(new1.pid() + " ready", h.serving(1));

        h.clock.advance(Duration.ofSeconds(10));
        assertEquals(4, h.launcher.count(), "the successors start counting from zero");
    }

    @Test
    void theJitterRaisesEachLimitByAtMostItsValue() {
        SupervisorHarness h = new SupervisorHarness(4, maxRequests(100, 20));
        h.started();
        for (int id = 0; id < 4; id++) {
            h.routing.passed.put(h.launcher.launched.get(id).pid(), 99L);
        }
        h.clock.advance(Duration.ofSeconds(5));
        assertEquals(4, h.launcher.count(), "below max-requests no limit is reached, whatever the jitter");
        h.routing.passed.put(h.launcher.launched.get(2).pid(), 120L);
        h.clock.advance(Recycler.CHECK);
        assertEquals(5, h.launcher.count(), "max-requests + max-requests-jitter is always past the limit");
        assertEquals(2, (int) h.launcher.ids.get(4), "the fifth process replaces worker 2");
    }

    @Test
    void aWorkerPastMaxAgeIsReplacedAndItsSuccessorAgesAfresh() {
        SupervisorHarness h = new SupervisorHarness(1, maxAge(Duration.ofSeconds(10)));
        h.started();
        FakeProcess old = h.launcher.last();
        h.clock.advance(Duration.ofSeconds(9));
        assertEquals(1, h.launcher.count());
        h.clock.advance(Duration.ofSeconds(1));
        assertEquals(2, h.launcher.count(), "replaced at 10s");
        assertTrue(h.routing.admitted(old), "a single worker serves until its replacement is ready: never none");
        FakeProcess fresh = h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(1, old.sigterms);
        assertEquals(fresh.pid() + " ready", h.serving(0));
        h.clock.advance(Duration.ofSeconds(9));
        assertEquals(2, h.launcher.count(), "the successor's age counts from its own start of service");
        h.clock.advance(Duration.ofSeconds(1));
        assertEquals(3, h.launcher.count());
    }

    @Test
    void aFailedRecyclingKeepsTheWorkerServingAndTriesAgainLater() {
        SupervisorHarness h = new SupervisorHarness(1, maxAge(Duration.ofSeconds(10)));
        h.started();
        FakeProcess old = h.launcher.last();
        h.clock.advance(Duration.ofSeconds(10));
        FakeProcess neverReady = h.launcher.last();
        assertEquals(2, h.launcher.count());
        h.clock.advance(SupervisorHarness.READY_TIMEOUT);
        assertEquals(1, neverReady.sigterms, "the replacement that was not ready is stopped");
        assertFalse(old.signalled());
        assertTrue(h.routing.admitted(old), "the old worker keeps serving");
        h.clock.advance(Recycler.RETRY.minusMillis(1));
        assertEquals(2, h.launcher.count(), "no fork storm: the next try waits");
        h.clock.advance(Duration.ofMillis(1));
        assertEquals(3, h.launcher.count(), "tried again after " + Recycler.RETRY);
    }

    /** Each recycle is counted by its reason, apart from the restarts it also is; a failed one counts nothing. */
    @Test
    void recyclesAreCountedPerWorkerByReason() {
        SupervisorHarness h = new SupervisorHarness(2, new RecycleOptions(100, 0, Duration.ofSeconds(30)));
        h.started();
        assertEquals(Recycles.NONE, h.supervisor.recycles(0));
        h.routing.passed.put(h.launcher.launched.get(0).pid(), 100L);
        h.clock.advance(Recycler.CHECK);
        h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(new Recycles(1, 0), h.supervisor.recycles(0), "worker 0: once for max-requests");
        assertEquals(Recycles.NONE, h.supervisor.recycles(1));

        h.clock.advance(Duration.ofSeconds(29)); // worker 1 reaches 30 s; worker 0's successor is younger
        FakeProcess neverReady = h.launcher.last();
        assertEquals(1, (int) h.launcher.ids.get(h.launcher.count() - 1), "worker 1's replacement");
        h.clock.advance(SupervisorHarness.READY_TIMEOUT);
        assertEquals(1, neverReady.sigterms);
        assertEquals(Recycles.NONE, h.supervisor.recycles(1), "a replacement that never got ready is no recycle");
        h.clock.advance(Recycler.RETRY);
        h.readyLast();
        h.clock.advance(Duration.ofMillis(100));
        assertEquals(new Recycles(0, 1), h.supervisor.recycles(1), "worker 1: once for max-age");
        assertEquals(new Recycles(1, 0), h.supervisor.recycles(0));
        h.supervisor.workers().forEach(info -> assertEquals(1, info.restarts(), "each recycle is a restart too"));
    }

    @Test
    void nothingIsRecycledWhenTheOptionsAreOff() {
        SupervisorHarness h = new SupervisorHarness(2, RecycleOptions.OFF);
        h.started();
        h.routing.passed.put(h.launcher.launched.get(0).pid(), 1_000_000L);
        h.clock.advance(Duration.ofHours(2));
        assertEquals(2, h.launcher.count());
    }
}
