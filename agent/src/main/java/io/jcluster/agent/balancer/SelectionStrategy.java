package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Strategy;

/**
 * Picks the backend for a new connection. Called on event loops, concurrently: implementations are lock-free
 * and allocate nothing.
 */
@FunctionalInterface
public interface SelectionStrategy {

    /** @param backends at least one; the caller's snapshot, never modified */
    Backend pick(Backend[] backends);

    /**
     * Each connection to the next backend in turn. Use when connections cost about the same: the spread is
     * exact (40 connections over 4 backends = 10 each).
     */
    static SelectionStrategy roundRobin() {
        return new RoundRobin();
    }

    /**
     * The backend with the fewest open connections; ties go to a random one of them. Use when connections
     * differ in length or cost (slow requests, long-lived keep-alive clients): the default.
     */
    static SelectionStrategy leastConnections() {
        return new LeastConnections();
    }

    /** A uniformly random backend. Use when even a shared counter is too much coordination. */
    static SelectionStrategy random() {
        return new RandomChoice();
    }

    /**
     * Two random backends, the less loaded of them (Envoy's least-request): nearly as good a spread as
     * least-connections, with two counter reads instead of a scan. Use with many workers or when many
     * connections arrive at once and a full scan would send them all to the same momentarily idle worker.
     */
    static SelectionStrategy powerOfTwo() {
        return new PowerOfTwoChoices();
    }

    static SelectionStrategy of(Strategy name) {
        switch (name) {
            case ROUND_ROBIN:
                return roundRobin();
            case RANDOM:
                return random();
            case POWER_OF_TWO:
                return powerOfTwo();
            default:
                return leastConnections();
        }
    }
}
