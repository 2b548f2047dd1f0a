package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class RestartPolicyTest {

    private static final Duration CRASHED_AT_ONCE = Duration.ofMillis(200);
    private static final Duration RAN_A_WHILE = Duration.ofSeconds(31);

    @Test
    void delayDoublesUpToThirtySeconds() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 100);
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            assertEquals(Duration.ofSeconds(seconds), policy.afterExit(CRASHED_AT_ONCE));
        }
    }

    @Test
    void aWorkerThatRanStablyStartsTheDoublingAndTheCountAfresh() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 100);
        policy.afterExit(CRASHED_AT_ONCE);
        policy.afterExit(CRASHED_AT_ONCE);
        assertEquals(Duration.ofSeconds(4), policy.afterExit(CRASHED_AT_ONCE));
        assertEquals(3, policy.crashRestartsInARow());
        assertEquals(Duration.ofSeconds(1), policy.afterExit(Duration.ofMinutes(5)));
        assertEquals(1, policy.crashRestartsInARow());
    }

    @Test
    void givesUpAfterMaxRestartsInARowOfWorkersThatNeverRanThirtySeconds() {
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(10), 3);
        assertEquals(Duration.ofMillis(10), policy.afterExit(CRASHED_AT_ONCE));
        assertEquals(Duration.ofMillis(20), policy.afterExit(CRASHED_AT_ONCE));
        assertEquals(Duration.ofMillis(40), policy.afterExit(CRASHED_AT_ONCE));
        assertNull(policy.afterExit(CRASHED_AT_ONCE));
        assertEquals(3, policy.crashRestartsInARow());
    }

    /**
     * The old rule (more than max-restarts within a fixed 60 s) could never trip once the back-off reached 30 s: a
     * worker that exits at start was retried every 30 s for ever. Each restart's window now grows with its back-off.
     */
    @Test
    void aCrashLoopAtTheThirtySecondBackOffIsGivenUpAtTheDefaults() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 10);
        Duration waited = Duration.ZERO;
        for (int restart = 0; restart < 10; restart++) {
            Duration delay = policy.afterExit(CRASHED_AT_ONCE);
            assertNotNull(delay, "restart " + (restart + 1) + " of 10");
            waited = waited.plus(delay);
        }
        assertNull(policy.afterExit(CRASHED_AT_ONCE), "the 11th crash in a row gives the slot up");
        assertEquals(Duration.ofSeconds(181), waited, "1+2+4+8+16+30x5: given up within about three minutes");
    }

    @Test
    void aWorkerThatCrashesOnlyAfterRunningAWhileIsNeverGivenUp() {
        RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), 2);
        for (int crash = 0; crash < 50; crash++) {
            assertEquals(Duration.ofSeconds(1), policy.afterExit(RAN_A_WHILE));
        }
    }

    @Test
    void zeroMaxRestartsNeverRestarts() {
        assertNull(new RestartPolicy(Duration.ofSeconds(1), 0).afterExit(CRASHED_AT_ONCE));
    }

    @Test
    void exitStatusesNameTheirSignal() {
        assertEquals("status 1", ExitStatus.describe(1));
        assertEquals("status 137 (SIGKILL, e.g. the OOM killer or kill -9)", ExitStatus.describe(137));
        assertEquals("status 143 (SIGTERM)", ExitStatus.describe(143));
    }
}
