package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Strategy;
import org.junit.jupiter.api.Test;

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

    @Test
    void leastConnectionsSpreadsTiesOverAllBackends() {
        Backend[] backends = backends(4);
        Map<Backend, Integer> counts = spread(SelectionStrategy.leastConnections(), backends, 4_000);
        assertEquals(4, counts.size());
        counts.values().forEach(count -> assertTrue(count > 700, "uneven tie-breaking: " + counts));
    }

    @Test
    void randomReachesEveryBackend() {
        Backend[] backends = backends(4);
        Map<Backend, Integer> counts = spread(SelectionStrategy.random(), backends, 4_000);
        assertEquals(4, counts.size());
        counts.values().forEach(count -> assertTrue(count > 700, "not uniform: " + counts));
    }

    @Test
    void aSingleBackendIsAlwaysPicked() {
        Backend[] one = backends(1);
        for (Strategy name : Strategy.values()) {
            assertSame(one[0], SelectionStrategy.of(name).pick(one), name.toString());
        }
    }

    @Test
    void roundRobinSurvivesCounterWrapAround() {
        Backend[] backends = backends(3);
        RoundRobin strategy = new RoundRobin();
        for (long i = 0; i < 5; i++) {
            strategy.pick(backends);
        }
        // far from exhaustive, but floorMod must never yield a negative index
        for (int i = 0; i < 10; i++) {
            assertTrue(java.util.List.of(backends).contains(strategy.pick(backends)));
        }
    }
}
