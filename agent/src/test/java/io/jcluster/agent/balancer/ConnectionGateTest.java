package io.jcluster.agent.balancer;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * max-connections, max-queue and queue-timeout changed while a listener serves (a SIGHUP): the gate counts served
 * connections even without a limit, so that a limit set later counts those already open; a lower limit closes
 * nothing, it stops admitting; a higher one admits waiters at once; a waiter keeps the queue-timeout it was queued
 * under.
 */
class ConnectionGateTest {

    private final ListenerStats stats = new ListenerStats(new InetSocketAddress("127.0.0.1", 8080));
    private final ConnectionGate gate = new ConnectionGate(ConnectionLimit.NONE, stats);
    private final List<String> served = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();

    /** A client arriving at the listener, as Listener.admit hands it to the gate. */
    private EmbeddedChannel arrive(String name) {
        EmbeddedChannel client = new EmbeddedChannel();
        if (gate.pass(client)) {
            served.add(name);
        } else {
            gate.admit(client, () -> served.add(name), why -> rejected.add(name + ": " + why));
        }
        client.runPendingTasks();
        return client;
    }

    @Test
    void withoutALimitEveryConnectionIsCountedAndPassesWithoutTheQueue() {
        EmbeddedChannel a = arrive("a");
        arrive("b");
        assertEquals(List.of("a", "b"), served);
        assertEquals(2, gate.served());
        a.close();
        assertEquals(1, gate.served(), "counted out when it closes");
    }

    @Test
    void aLimitSetWhileConnectionsAreOpenCountsThemAndClosesNone() {
        EmbeddedChannel a = arrive("a");
        EmbeddedChannel b = arrive("b");
        EmbeddedChannel c = arrive("c");
        gate.limit(new ConnectionLimit(1, 1, Duration.ofSeconds(5)));
        assertTrue(a.isOpen() && b.isOpen() && c.isOpen(), "lowering the limit below the count kills nothing");

        EmbeddedChannel d = arrive("d");
        arrive("e");
        assertEquals(List.of("a", "b", "c"), served, "3 served > max-connections=1: d waits");
        assertEquals(List.of("e: max-connections=1 reached and its queue of 1 is full"), rejected);
        assertEquals(1, gate.waiting());

        a.close();
        b.close();
        d.runPendingTasks();
        assertEquals(List.of("a", "b", "c"), served, "still one served: no slot for d yet");
        c.close();
        d.runPendingTasks();
        assertEquals(List.of("a", "b", "c", "d"), served, "the slot c freed goes to d");
        assertEquals(0, gate.waiting());
        assertEquals(1, gate.served());
    }

    @Test
    void raisingOrRemovingTheLimitAdmitsWaitersAtOnce() {
        gate.limit(new ConnectionLimit(1, 10, Duration.ofSeconds(5)));
        arrive("a");
        EmbeddedChannel b = arrive("b");
        EmbeddedChannel c = arrive("c");
        EmbeddedChannel d = arrive("d");
        assertEquals(List.of("a"), served);
        gate.limit(new ConnectionLimit(2, 10, Duration.ofSeconds(5)));
        b.runPendingTasks();
        assertEquals(List.of("a", "b"), served, "max-connections=2: the longest waiter is served");
        gate.limit(ConnectionLimit.NONE);
        c.runPendingTasks();
        d.runPendingTasks();
        assertEquals(List.of("a", "b", "c", "d"), served, "no limit: every waiter is served");
        assertEquals(4, gate.served());
        arrive("e");
        assertEquals(5, gate.served());
    }

    @Test
    void aWaiterKeepsTheQueueTimeoutItWasQueuedUnder() {
        gate.limit(new ConnectionLimit(1, 10, Duration.ofSeconds(5)));
        arrive("a");
        EmbeddedChannel b = arrive("b");
        gate.limit(new ConnectionLimit(1, 10, Duration.ofSeconds(1)));
        EmbeddedChannel c = arrive("c");
        b.advanceTimeBy(1, TimeUnit.SECONDS);
        b.runScheduledPendingTasks();
        c.advanceTimeBy(1, TimeUnit.SECONDS);
        c.runScheduledPendingTasks();
        assertEquals(List.of("c: waited queue-timeout=1000ms for one of 1 connection slots"), rejected,
                "c was queued under queue-timeout=1s, b under 5s");
        b.advanceTimeBy(4, TimeUnit.SECONDS);
        b.runScheduledPendingTasks();
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(1).startsWith("b: waited queue-timeout=5000ms"), rejected.get(1));
        assertFalse(served.contains("b"));
    }
}
