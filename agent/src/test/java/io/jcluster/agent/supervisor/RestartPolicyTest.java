package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RestartPolicyTest {

    private static final Duration CRASHED_AT_ONCE = Duration.ofMillis(200);
    private static final long SECOND = 1_000_000_000L;

    @Test
    void delayDoublesUpToThirtySeconds() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 100);
        long now = 0;
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            assertEquals(Duration.ofSeconds(seconds), policy.afterExit(CRASHED_AT_ONCE, now));
            now += 61 * SECOND; // outside the window: only the doubling is under test here
        }
    }

    @Test
    void aWorkerThatRanStablyStartsTheDoublingAfresh() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 100);
        policy.afterExit(CRASHED_AT_ONCE, 0);
        policy.afterExit(CRASHED_AT_ONCE, SECOND);
        assertEquals(Duration.ofSeconds(4), policy.afterExit(CRASHED_AT_ONCE, 2 * SECOND));
        assertEquals(Duration.ofSeconds(1), policy.afterExit(Duration.ofMinutes(5), 400 * SECOND));
    }

    @Test
    void givesUpPastMaxRestartsWithinSixtySeconds() {
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(10), 3);
        assertEquals(Duration.ofMillis(10), policy.afterExit(CRASHED_AT_ONCE, 0));
        assertEquals(Duration.ofMillis(20), policy.afterExit(CRASHED_AT_ONCE, SECOND));
        assertEquals(Duration.ofMillis(40), policy.afterExit(CRASHED_AT_ONCE, 2 * SECOND));
        assertNull(policy.afterExit(CRASHED_AT_ONCE, 3 * SECOND));
        assertEquals(3, policy.recentRestarts());
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(10), 2);
        policy.afterExit(CRASHED_AT_ONCE, 0);
        policy.afterExit(CRASHED_AT_ONCE, SECOND);
        assertNull(policy.afterExit(CRASHED_AT_ONCE, 2 * SECOND));
        assertEquals(Duration.ofMillis(40), policy.afterExit(CRASHED_AT_ONCE, 62 * SECOND));
    }

    @Test
    void zeroMaxRestartsNeverRestarts() {
        assertNull(new RestartPolicy(Duration.ofSeconds(1), 0).afterExit(CRASHED_AT_ONCE, 0));
    }

    @Test
    void exitStatusesNameTheirSignal() {
        assertEquals("status 1", ExitStatus.describe(1));
        assertEquals("status 137 (SIGKILL, e.g. the OOM killer or kill -9)", ExitStatus.describe(137));
        assertEquals("status 143 (SIGTERM)", ExitStatus.describe(143));
    }
}
