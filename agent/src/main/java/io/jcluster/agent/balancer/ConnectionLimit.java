package io.jcluster.agent.balancer;

import java.time.Duration;

/**
 * max-connections: at most {@code maxConnections} clients served at once per listener; up to {@code maxQueue}
 * more wait (accepted, not read) for at most {@code queueTimeout}, in arrival order.
 */
public record ConnectionLimit(int maxConnections, int maxQueue, Duration queueTimeout) {

    public static final ConnectionLimit NONE = new ConnectionLimit(0, 0, Duration.ZERO);

    public boolean limited() {
        return maxConnections > 0;
    }
}
