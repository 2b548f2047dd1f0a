package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * SIGHUP reads the options again: the agent argument, and the {@code config=FILE} it names, which may have been
 * edited since. Options that can change while the cluster runs ({@link #AT_RUN_TIME}) are the parent's to apply;
 * if any other option changed, the whole new configuration is refused with one line naming them, and the running one
 * is kept, as nginx keeps its configuration when a reload finds a bad one. A value that does not parse is refused
 * the same way.
 */
public final class OptionReread {

    /**
     * What the parent applies at run time: the worker count and its ceiling, the strategy, every timeout, the
     * connection limits, health probing, restarts, max-memory, recycling, and how http mode treats a request
     * (stickiness, trusted proxies, h2c upgrades, X-Cache). The rest is fixed at launch: what the parent listens on
     * and how (port, mode, balancer, transport, TLS, admin), what the workers are started with (log, store,
     * sessions), the cache's size and the log's form.
     */
    public static final Set<Option> AT_RUN_TIME = EnumSet.of(Option.PROCESSES, Option.MAX_PROCESSES, Option.STRATEGY,
            Option.SHUTDOWN_TIMEOUT, Option.RESTART_DELAY, Option.MAX_RESTARTS, Option.STICKY, Option.TRUSTED_PROXIES,
            Option.MAX_CONNECTIONS, Option.MAX_QUEUE, Option.QUEUE_TIMEOUT, Option.HEADER_TIMEOUT, Option.IDLE_TIMEOUT,
            Option.TCP_IDLE_TIMEOUT, Option.RESPONSE_TIMEOUT, Option.BODY_TIMEOUT, Option.SEND_TIMEOUT, Option.H2C_UPGRADE, Option.HEALTH,
            Option.HEALTH_INTERVAL, Option.HEALTH_THRESHOLD, Option.MAX_MEMORY, Option.READY_TIMEOUT,
            Option.CACHE_STATUS_HEADER, Option.MAX_REQUESTS, Option.MAX_REQUESTS_JITTER, Option.MAX_AGE);

    /**
     * What a re-read found.
     *
     * @param options the new options; null when refused
     * @param changed the options whose values changed (all of them in {@link #AT_RUN_TIME} unless refused)
     * @param refusal why the new configuration is refused (one line), or null
     */
    public record Change(Options options, Set<Option> changed, String refusal) {

        public boolean refused() {
            return refusal != null;
        }

        public boolean changes(Option option) {
            return changed.contains(option);
        }
    }

    /** The file in the control directory where workers find the options the parent runs with. */
    public static final String WORKER_COPY = "options.properties";
    /** Added to {@link #WORKER_COPY} while the file is written, before it is moved into place. */
    public static final String BEING_WRITTEN = ".new";

    private final String agentArgument;
    private final Machine machine;
    /** The values the cluster runs with, per option. Guarded by this. */
    private Map<Option, List<String>> running;
    /** The same, as given (agent argument and file), for the workers' copy. Guarded by this. */
    private Map<Option, List<String>> runningGiven;

    /** The options the cluster was launched with (premain parsed them already). */
    public static OptionReread of(String agentArgument) throws OptionException {
        return new OptionReread(agentArgument, Machine.LOCAL);
    }

    OptionReread(String agentArgument, Machine machine) throws OptionException {
        this.agentArgument = agentArgument;
        this.machine = machine;
        this.runningGiven = OptionParser.given(agentArgument, machine);
        this.running = effective(runningGiven);
    }

    /**
     * Writes the options the cluster runs with where its workers read them ({@link #WORKER_COPY} in the private
     * control {@code directory}), atomically: a worker started after an edit of the config file that the parent
     * refused, or has not read yet, runs with the same options as the others. Not the admin token: no worker needs it.
     */
    public synchronized void writeWorkerCopy(Path directory) throws IOException {
        Properties copy = new Properties();
        runningGiven.forEach((option, values) -> {
            if (option != Option.ADMIN_TOKEN && option != Option.CONFIG) {
                copy.setProperty(option.key(), String.join(",", values));
            }
        });
        Path temporary = directory.resolve(WORKER_COPY + BEING_WRITTEN);
        try (Writer writer = Files.newBufferedWriter(temporary)) {
            copy.store(writer, "written by the jcluster parent: the options its workers run with");
        }
        Files.move(temporary, directory.resolve(WORKER_COPY), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads the options again; unless refused, the new values are the running ones from now on. */
    public synchronized Change reread() {
        Map<Option, List<String>> given;
        Options options;
        try {
            given = OptionParser.given(agentArgument, machine);
            options = OptionParser.parseGiven(given, machine);
        } catch (OptionException e) {
            return new Change(null, Set.of(), e.getMessage() + "; the running configuration is kept");
        }
        Map<Option, List<String>> next = effective(given);
        Set<Option> changed = EnumSet.noneOf(Option.class);
        for (Option option : Option.values()) {
            if (!next.get(option).equals(running.get(option))) {
                changed.add(option);
            }
        }
        List<String> fixed = new ArrayList<>();
        for (Option option : changed) {
            if (!AT_RUN_TIME.contains(option)) {
                fixed.add(option.key());
            }
        }
        if (!fixed.isEmpty()) {
            // names only: a value may be a secret (admin-token)
            return new Change(null, changed, String.join(", ", fixed) + (fixed.size() == 1 ? " changed: it applies"
                    : " changed: they apply") + " at launch only (restart the cluster to change "
                    + (fixed.size() == 1 ? "it" : "them") + "); the running configuration is kept");
        }
        running = next;
        runningGiven = given;
        return new Change(options, changed, null);
    }

    /** Every option's values, its default for one not given. */
    private static Map<Option, List<String>> effective(Map<Option, List<String>> given) {
        Map<Option, List<String>> values = new LinkedHashMap<>();
        for (Option option : Option.values()) {
            values.put(option, List.copyOf(given.getOrDefault(option, List.of(option.defaultValue()))));
        }
        return values;
    }
}
