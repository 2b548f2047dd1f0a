package io.jcluster.agent.standalone;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Netty system properties the standalone balancer chooses for its own JVM (nothing else runs in it), set before the
 * first Netty class initialises; a property the command line gave ({@code -D...}) is left as it is, so it wins.
 *
 * <p>{@code io.netty.jfr.enabled=false}: Netty's pooled allocator checks a Flight Recorder event class on every
 * chunk it allocates, which loads jdk.jfr (108-114 classes) into a JVM that records nothing; off, 150 fewer classes
 * and 0.6-0.7 MiB less metaspace, class space and symbols, on JDK 17 and 25 alike (bench/RESULTS.md, "Memory: the
 * standalone balancer's own JVM"). The name is Netty's own; in the shaded jar it reads
 * {@code io.jcluster.shaded.io.netty.jfr.enabled} (the build relocates Netty's property names with its packages),
 * which is the name a user gives to turn the events back on.
 */
final class OwnNettyProperties {

    /** Property -> value, set unless already given. */
    static final Map<String, String> DEFAULTS = Map.of("io.netty.jfr.enabled", "false");

    private OwnNettyProperties() {
    }

    /** Sets each default the properties do not have yet; returns the names it set. */
    static List<String> apply(Properties properties) {
        List<String> set = new ArrayList<>();
        DEFAULTS.forEach((name, value) -> {
            if (properties.getProperty(name) == null) {
                properties.setProperty(name, value);
                set.add(name);
            }
        });
        return set;
    }
}
