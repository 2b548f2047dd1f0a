package io.jcluster.agent.config;

import java.nio.file.Path;
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
        int maxRestarts,
        Mode mode,
        Path tlsCert,
        Path tlsKey,
        String sticky,
        int maxConnections,
        int maxQueue,
        Duration queueTimeout,
        Duration headerTimeout,
        Duration idleTimeout,
        Duration responseTimeout) {

    /** How the balancer speaks to clients. */
    public enum Mode { TCP, HTTP }

    /** The value of sticky= that turns stickiness off. */
    public static final String NOT_STICKY = "off";

    public Options {
        ports = List.copyOf(ports);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** Whether a bind of {@code port} is moved behind the balancer. */
    public boolean clusters(int port) {
        return port != 0 && (ports.isEmpty() || ports.contains(port));
    }
}
