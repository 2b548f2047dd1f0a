package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectionStrategyTest {

    private static Backend[] backends(int count) {
        Backend[] backends = new Backend[count];
        for (int i = 0; i < count; i++) {
            backends[i] = new Backend(i, new InetSocketAddress("127.0.0.1", 10_000 + i));
        }
        return backends;
    }

    private static Map<Backend, Integer> spread(SelectionStrategy strategy, Backend[] backends, int picks) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(strategy.pick(backends), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsExact() {
        Backend[] backends = backends(4);
        Map<Backend, Integer> counts = spread(SelectionStrategy.roundRobin(), backends, 40);
        for (Backend backend : backends) {
            assertEquals(10, counts.get(backend), backend.toString());
        }
    }

    @Test
    void leastConnectionsPicksTheEmptiestBackend() {
        Backend[] backends = backends(4);
        for (int i = 0; i < 4; i++) {
            if (i != 2) {
                backends[i].connectionOpened();
            }
        }
        SelectionStrategy strategy = SelectionStrategy.leastConnections();
        for (int i = 0; i < 20; i++) {
            assertSame(backends[2], strategy.pick(backends));
        }
        backends[2].connectionOpened();
        backends[2].connectionOpened();
        backends[0].connectionClosed();
        for (int i = 0; i < 20; i++) {
            assertSame(backends[0], strategy.pick(backends));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"LEAST_CONNECTIONS", "RANDOM", "POWER_OF_TWO"})
    void tiesAndRandomPicksSpreadOverAllBackends(Strategy name) {
        Backend[] backends = backends(4);
        Map<Backend, Integer> counts = spread(SelectionStrategy.of(name), backends, 4_000);
        assertEquals(4, counts.size());
        counts.values().forEach(count -> assertTrue(count > 700, name + " is uneven: " + counts));
    }

    @Test
    void powerOfTwoNeverPicksTheBusiestOfTwoAndAvoidsTheBusiestOfMany() {
        Backend[] two = backends(2);
        two[0].connectionOpened();
        SelectionStrategy strategy = SelectionStrategy.powerOfTwo();
        for (int i = 0; i < 50; i++) {
            assertSame(two[1], strategy.pick(two), "two distinct candidates are always compared");
        }
        Backend[] four = backends(4);
        for (int i = 0; i < 5; i++) {
            four[3].connectionOpened();
        }
        Map<Backend, Integer> counts = spread(strategy, four, 3_000);
        assertEquals(null, counts.get(four[3]), "the busiest backend loses every comparison it is in: " + counts);
    }

    @Test
    void aSingleBackendIsAlwaysPicked() {
        Backend[] one = backends(1);
        for (Strategy name : Strategy.values()) {
            assertSame(one[0], SelectionStrategy.of(name).pick(one), name.toString());
        }
    }

    @Test
    void roundRobinKeepsItsTurnOrderPastTwoBillionConnections() {
        Backend[] backends = backends(3);
        RoundRobin strategy = new RoundRobin(Integer.MAX_VALUE - 4L);
        Backend previous = strategy.pick(backends);
        for (int i = 0; i < 12; i++) {
            Backend next = strategy.pick(backends);
            assertSame(backends[(previous.owner() + 1) % 3], next, "turn " + i);
            previous = next;
        }
    }
}
