package io.jcluster.agent.stop;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GracefulStopTest {

    private final GracefulStop stop = new GracefulStop(Duration.ofSeconds(30));

    @Test
    void theFirstRequestFixesTheExitStatusAndWakesTheWaiter() throws InterruptedException {
        assertTrue(stop.request(1, "every worker was given up"));
        assertFalse(stop.request(0, "SIGTERM received"), "a second request finds the stop under way");
        stop.await(); // returns at once
        assertEquals(1, stop.exitStatus());
    }

    @Test
    void drainingStopsAcceptingFirstAndReportsWhatIsStillOpen() throws InterruptedException {
        List<String> calls = new ArrayList<>();
        long deadline = stop.deadline();
        long open = stop.drain(new Draining() {
            @Override
            public void stopAccepting() {
                calls.add("stopAccepting");
            }

            @Override
            public long drain(long deadlineNanos) {
                calls.add("drain until " + deadlineNanos);
                return 2;
            }
        }, deadline);
        assertEquals(List.of("stopAccepting", "drain until " + deadline), calls);
        assertEquals(2, open);
        assertTrue(deadline - System.nanoTime() > TimeUnit.SECONDS.toNanos(25), "shutdown-timeout from now");
    }
}
