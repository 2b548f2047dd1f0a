package io.jcluster.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.jcluster.agent.config.OptionValues.oneOf;
import static io.jcluster.agent.config.OptionValues.positiveDuration;
import static io.jcluster.agent.config.OptionValues.single;
import static io.jcluster.agent.config.OptionValues.size;
import static io.jcluster.agent.config.OptionValues.sizeNotOff;

/** The Cluster API's store: where it is, its bounds, and shared sessions. */
final class StoreOptionRules {

    static final Map<String, Boolean> SESSIONS = Map.of("off", false, "shared", true);

    private StoreOptionRules() {
    }

    static StoreOptions store(Map<Option, List<String>> given) throws OptionException {
        for (String value : given.getOrDefault(Option.STORE, List.of())) {
            // before any other check of store=, since they all repeat the value
            StoreLocation.checkNoCredentials(value);
        }
        StoreLocation location = StoreLocation.parse(single(given, Option.STORE));
        String sizeValue = single(given, Option.STORE_SIZE);
        long size = sizeNotOff(Option.STORE_SIZE, sizeValue);
        Duration timeout = positiveDuration(Option.STORE_TIMEOUT, single(given, Option.STORE_TIMEOUT));
        String maxMessageValue = single(given, Option.MAX_MESSAGE);
        long maxMessage = sizeNotOff(Option.MAX_MESSAGE, maxMessageValue);
        if (maxMessage > StoreOptions.MAX_MESSAGE_LIMIT) {
            throw OptionException.badValue(Option.MAX_MESSAGE, maxMessageValue);
        }
        if (!location.embedded() && given.containsKey(Option.STORE_SIZE)) {
            throw new OptionException("store-size=" + sizeValue + ": applies to store=embedded only (Redis bounds its"
                    + " memory itself: maxmemory in redis.conf)");
        }
        if (location.embedded() && size < maxMessage + StoreOptions.ENTRY_ROOM) {
            throw new OptionException("store-size=" + sizeValue + ": too small for max-message=" + maxMessageValue
                    + "; give store-size at least max-message + 4k (a value of max-message bytes, its key and map name"
                    + " must fit)");
        }
        boolean sharedSessions = oneOf(Option.SESSIONS, single(given, Option.SESSIONS), SESSIONS);
        return new StoreOptions(location, size, timeout, maxMessage, null, sharedSessions);
    }
}
