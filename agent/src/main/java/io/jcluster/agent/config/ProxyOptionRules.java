package io.jcluster.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jcluster.agent.config.OptionValues.integer;
import static io.jcluster.agent.config.OptionValues.positive;
import static io.jcluster.agent.config.OptionValues.positiveDuration;

/** The balancer's options: ports, mode, transport, strategy, event loops, and what tcp mode alone accepts. */
final class ProxyOptionRules {

    static final Map<String, Options.Mode> MODES = Map.of("tcp", Options.Mode.TCP, "http", Options.Mode.HTTP,
            "grpc", Options.Mode.GRPC);

    static final Map<String, Options.Balancing> BALANCERS = Map.of(
            "proxy", Options.Balancing.PROXY, "kernel", Options.Balancing.KERNEL);

    /** Given: a version, nothing else (there is no point in writing proxy-protocol=off). */
    static final Map<String, Options.ProxyProtocol> PROXY_PROTOCOLS = Map.of(
            "v1", Options.ProxyProtocol.V1, "v2", Options.ProxyProtocol.V2);

    private ProxyOptionRules() {
    }

    static List<Integer> ports(List<String> values) throws OptionException {
        List<Integer> ports = new ArrayList<>();
        for (String value : values) {
            int port = integer(Option.PORT, value);
            if (port < 1 || port > 65535) {
                throw OptionException.badValue(Option.PORT, value);
            }
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    static Options.TransportChoice transport(String value) throws OptionException {
        for (Options.TransportChoice choice : Options.TransportChoice.values()) {
            if (choice.key().equals(value)) {
                return choice;
            }
        }
        throw OptionException.badValue(Option.TRANSPORT, value);
    }

    static Duration tcpIdleTimeout(String value, Options.Mode mode) throws OptionException {
        if (value.equals("off")) {
            return Duration.ZERO;
        }
        Duration timeout = positiveDuration(Option.TCP_IDLE_TIMEOUT, value);
        if (mode != Options.Mode.TCP) {
            throw new OptionException("tcp-idle-timeout=" + value + ": needs mode=tcp (in http mode idle-timeout closes"
                    + " idle keep-alive connections)");
        }
        return timeout;
    }

    /** event-loops: "auto" is 0 (the balancer decides), else a positive count. */
    static int eventLoops(String value) throws OptionException {
        return value.equals("auto") ? 0 : positive(Option.EVENT_LOOPS, value);
    }

    static Strategy strategy(String value) throws OptionException {
        Strategy strategy = Strategy.byOptionValue(value);
        if (strategy == null) {
            throw OptionException.badValue(Option.STRATEGY, value);
        }
        return strategy;
    }
}
