package io.jcluster.agent.config;

import java.util.List;
import java.util.Map;

/**
 * balancer=kernel leaves the parent out of the data path, so an option that only the proxy can honour is an error
 * rather than silently ignored. The defaults (mode=tcp, sticky=off, max-connections=0) are fine. That the machine
 * can balance in its kernel at all (Linux) is {@link OptionChecks}' to say.
 */
final class KernelBalancingRule {

    /** Options that only the parent's proxy can honour: with balancer=kernel no byte passes through the parent. */
    private static final List<Option> NEED_THE_PROXY = List.of(Option.MODE, Option.STRATEGY, Option.TLS_CERT,
            Option.TLS_KEY, Option.STICKY, Option.MAX_CONNECTIONS, Option.MAX_QUEUE, Option.QUEUE_TIMEOUT,
            Option.HEADER_TIMEOUT, Option.IDLE_TIMEOUT, Option.RESPONSE_TIMEOUT, Option.BODY_TIMEOUT,
            Option.SEND_TIMEOUT,
            Option.H2C_UPGRADE, Option.HTTP2, Option.MAX_CONCURRENT_STREAMS, Option.TRANSPORT,
            Option.TCP_IDLE_TIMEOUT, Option.TRUSTED_PROXIES, Option.CACHE, Option.EVENT_LOOPS);

    private KernelBalancingRule() {
    }

    static void check(Map<Option, List<String>> given) throws OptionException {
        for (Option option : NEED_THE_PROXY) {
            List<String> values = given.get(option);
            if (values == null) {
                continue;
            }
            String value = values.get(0);
            boolean harmless = switch (option) {
                case MODE -> value.equals("tcp");
                case STICKY -> value.equals(Options.NOT_STICKY);
                case MAX_CONNECTIONS -> value.equals("0");
                case TRANSPORT, EVENT_LOOPS -> value.equals("auto");
                case TCP_IDLE_TIMEOUT -> value.equals("off");
                case H2C_UPGRADE -> value.equals("refuse");
                case HTTP2 -> value.equals("off");
                case CACHE -> value.equals("off");
                default -> false;
            };
            if (!harmless) {
                throw new OptionException("balancer=kernel has no proxy: " + option.key() + "=" + value
                        + " needs balancer=proxy");
            }
        }
        String health = OptionValues.single(given, Option.HEALTH);
        if (!health.equals("tcp")) {
            throw new OptionException("balancer=kernel has no proxy: health=" + health + " needs balancer=proxy (the"
                    + " kernel picks the worker of each connection, so an HTTP probe cannot reach a chosen worker;"
                    + " health=tcp checks that each worker still listens)");
        }
    }
}
