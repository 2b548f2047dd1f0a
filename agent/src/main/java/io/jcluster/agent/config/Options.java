package io.jcluster.agent.config;

import java.time.Duration;
import java.util.List;

/** The parsed, checked options of one launch. Build with {@link OptionParser#parse(String)}. */
public record Options(
        int processes,
        Strategy strategy,
        List<Integer> ports,
        Duration shutdownTimeout,
        LogMode log,
        Duration restartDelay,
        int maxRestarts) {

    public Options {
        ports = List.copyOf(ports);
    }

    /** Whether a bind of {@code port} is moved behind the balancer. */
    public boolean clusters(int port) {
        return port != 0 && (ports.isEmpty() || ports.contains(port));
    }
}
