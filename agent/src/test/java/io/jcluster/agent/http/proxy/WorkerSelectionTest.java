package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertSame;

/** Stickiness as a selection that wraps the listener's strategy: pinned when it can be, balanced otherwise. */
class WorkerSelectionTest {

    private final FakeUpstream upstream = new FakeUpstream(3);
    private final Backend[] all = upstream.backends;

    @Test
    void withoutStickinessTheStrategyPicks() {
        WorkerSelection selection = WorkerSelection.of(Stickiness.NONE, upstream);
        assertSame(all[0], selection.select(all, "w2"));
    }

    @Test
    void aCookieNamingACandidatePinsTheRequestToIt() {
        WorkerSelection selection = WorkerSelection.of(Stickiness.of("cookie"), upstream);
        assertSame(all[2], selection.select(all, "w2"));
    }

    @Test
    void aCookieNamingNoCandidateOrNoCookieIsLeftToTheStrategy() {
        WorkerSelection selection = WorkerSelection.of(Stickiness.of("cookie"), upstream);
        assertSame(all[1], selection.select(new Backend[]{all[1]}, "w2"), "its worker was tried or left rotation");
        assertSame(all[0], selection.select(all, null));
        assertSame(all[0], selection.select(all, "tampered"));
    }
}
