package io.jcluster.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static io.jcluster.agent.config.OptionValues.integer;
import static io.jcluster.agent.config.OptionValues.nonNegativeLong;
import static io.jcluster.agent.config.OptionValues.positiveDuration;
import static io.jcluster.agent.config.OptionValues.single;

/** The worker processes' options: how many, when one is recycled, and where the parent writes its pid. */
final class ProcessOptionRules {

    private ProcessOptionRules() {
    }

    /** Empty for auto: the processors are the machine's to say. */
    static OptionalInt processes(String value) throws OptionException {
        if (value.equals("auto")) {
            return OptionalInt.empty();
        }
        int processes = integer(Option.PROCESSES, value);
        if (processes < 1) {
            throw OptionException.badValue(Option.PROCESSES, value);
        }
        return OptionalInt.of(processes);
    }

    static RecycleOptions recycle(Map<Option, List<String>> given, Options.Balancing balancer)
            throws OptionException {
        String maxRequestsValue = single(given, Option.MAX_REQUESTS);
        long maxRequests = nonNegativeLong(Option.MAX_REQUESTS, maxRequestsValue);
        String jitterValue = single(given, Option.MAX_REQUESTS_JITTER);
        long jitter = nonNegativeLong(Option.MAX_REQUESTS_JITTER, jitterValue);
        String maxAgeValue = single(given, Option.MAX_AGE);
        Duration maxAge = maxAgeValue.equals("off") ? Duration.ZERO : positiveDuration(Option.MAX_AGE, maxAgeValue);
        if (jitter > 0 && maxRequests == 0) {
            throw new OptionException("max-requests-jitter=" + jitterValue + ": needs max-requests (the jitter is"
                    + " added to each worker's max-requests)");
        }
        if (maxRequests > 0 && balancer == Options.Balancing.KERNEL) {
            throw new OptionException("balancer=kernel has no proxy: max-requests=" + maxRequestsValue + " needs"
                    + " balancer=proxy (the parent counts what it passes each worker; max-age works with both)");
        }
        return new RecycleOptions(maxRequests, jitter, maxAge);
    }

    /** Null when not given; the directory is checked when the parent writes the file (PidFile). */
    static Path pidFile(Map<Option, List<String>> given) throws OptionException {
        if (!given.containsKey(Option.PID_FILE)) {
            return null;
        }
        String value = single(given, Option.PID_FILE);
        if (value.isBlank() || value.indexOf('\0') >= 0 || value.endsWith("/")) {
            throw OptionException.badValue(Option.PID_FILE, value);
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw OptionException.badValue(Option.PID_FILE, value);
        }
    }
}
