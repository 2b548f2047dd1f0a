package io.jcluster.agent.config;

/** The names of the balancing strategies; the balancer maps each to its implementation. */
public enum Strategy {
    /** Each new connection goes to the next worker in turn: even spread when requests cost the same. */
    ROUND_ROBIN("round-robin"),
    /** A new connection goes to the worker with the fewest open connections: the default, robust to slow requests. */
    LEAST_CONNECTIONS("least-connections"),
    /** A uniformly random worker: no shared state at all. */
    RANDOM("random"),
    /** The less loaded of two random workers: least-connections' spread at a constant cost per pick. */
    POWER_OF_TWO("power-of-two");

    private final String optionValue;

    Strategy(String optionValue) {
        this.optionValue = optionValue;
    }

    public String optionValue() {
        return optionValue;
    }

    static Strategy byOptionValue(String value) {
        for (Strategy strategy : values()) {
            if (strategy.optionValue.equals(value)) {
                return strategy;
            }
        }
        return null;
    }
}
