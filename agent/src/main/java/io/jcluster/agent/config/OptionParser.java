package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import static io.jcluster.agent.config.OptionValues.ON_OFF;
import static io.jcluster.agent.config.OptionValues.duration;
import static io.jcluster.agent.config.OptionValues.nonNegative;
import static io.jcluster.agent.config.OptionValues.oneOf;
import static io.jcluster.agent.config.OptionValues.positive;
import static io.jcluster.agent.config.OptionValues.positiveDuration;
import static io.jcluster.agent.config.OptionValues.single;
import static io.jcluster.agent.config.OptionValues.size;

/**
 * Parses the agent argument ({@code k=v,k=v}, a repeated key accumulates) and the optional {@code config=FILE}
 * properties file; the agent argument wins over the file, key by key. Parsing turns strings into values and checks
 * them against each other without asking the machine anything; then {@link OptionChecks} checks what depends on the
 * machine (processors, OS, host names, files). Of two bad values, the one parsing finds is named.
 */
public final class OptionParser {

    private OptionParser() {
    }

    public static Options parse(String agentArgument) throws OptionException {
        return parse(agentArgument, Machine.LOCAL);
    }

    static Options parse(String agentArgument, Machine machine) throws OptionException {
        return parseGiven(given(agentArgument, machine), machine);
    }

    /** The values given for each option: the agent argument's, then the config file's for the others. */
    static Map<Option, List<String>> given(String agentArgument, Machine machine) throws OptionException {
        Map<Option, List<String>> given = OptionSources.split(agentArgument);
        List<String> proxyProtocol = given.get(Option.PROXY_PROTOCOL);
        if (proxyProtocol != null) {
            // checked before the config file is read: a file naming it is refused below with the same line
            throw proxyProtocolInAgent(proxyProtocol.get(0));
        }
        OptionSources.addConfigFile(given, machine);
        return given;
    }

    /** The parent's options from the values {@link #given} returned. */
    static Options parseGiven(Map<Option, List<String>> given, Machine machine) throws OptionException {
        ParsedOptions parsed = values(given);
        Options.ProxyProtocol fromFile = parsed.written().proxy().proxyProtocol();
        if (fromFile != Options.ProxyProtocol.OFF) {
            throw proxyProtocolInAgent(fromFile.name().toLowerCase(Locale.ROOT));
        }
        return OptionChecks.check(parsed, machine, true);
    }

    /**
     * The agent needs no PROXY header: the agent in each worker already gives the app the client's address. Only the
     * standalone balancer, whose backends run no agent, offers it.
     */
    private static OptionException proxyProtocolInAgent(String value) {
        return new OptionException("proxy-protocol=" + value + ": applies to the standalone balancer only (in a"
                + " cluster the agent in each worker gives the app the client's address itself)");
    }

    /**
     * A worker's options: the same, except for the checks of the launch as a whole, which are the parent's to make
     * (a worker runs with its share of the processors, so its default max-processes may be lower than the parent's).
     */
    public static Options parseInWorker(String agentArgument) throws OptionException {
        return parseInWorker(agentArgument, Machine.LOCAL, null);
    }

    static Options parseInWorker(String agentArgument, Machine machine) throws OptionException {
        return parseInWorker(agentArgument, machine, null);
    }

    /** In a worker the parent started: reads the parent's copy of its options rather than the config file. */
    public static Options parseInWorker(String agentArgument, Path controlDirectory) throws OptionException {
        return parseInWorker(agentArgument, Machine.LOCAL, controlDirectory.resolve(OptionReread.WORKER_COPY));
    }

    /**
     * @param parentsCopy where the parent wrote the options it runs with; read instead of the config file, which may
     *                    have been edited since the parent read it (a worker started later must not see an edit the
     *                    parent refused or has not read yet)
     */
    static Options parseInWorker(String agentArgument, Machine machine, Path parentsCopy) throws OptionException {
        Map<Option, List<String>> given = OptionSources.split(agentArgument);
        if (given.containsKey(Option.CONFIG) && parentsCopy != null && machine.isRegularFile(parentsCopy)) {
            given.put(Option.CONFIG, List.of(parentsCopy.toString()));
        }
        OptionSources.addConfigFile(given, machine);
        return OptionChecks.check(values(given), machine, false);
    }

    /**
     * Options given as separate key/value pairs, in order (the standalone balancer's {@code --key value}), checked by
     * the same rules as the agent argument; a repeated key accumulates. {@code config} is read as in the agent
     * argument.
     */
    public static Options parsePairs(List<Map.Entry<String, String>> pairs) throws OptionException {
        Map<Option, List<String>> given = OptionSources.pairs(pairs);
        OptionSources.addConfigFile(given, Machine.LOCAL);
        return OptionChecks.check(values(given), Machine.LOCAL, true);
    }

    /** The values of the options given (each option not given has its default), checked without the machine. */
    static ParsedOptions values(Map<Option, List<String>> given) throws OptionException {
        // one option after the other in a fixed order: of two bad values, always the same one is named
        List<Integer> ports = ProxyOptionRules.ports(given.getOrDefault(Option.PORT, List.of()));
        Options.Mode mode = oneOf(Option.MODE, single(given, Option.MODE), ProxyOptionRules.MODES);
        if (mode == Options.Mode.GRPC) {
            GrpcModeRule.check(given);
        }
        String tlsCert = given.containsKey(Option.TLS_CERT) ? single(given, Option.TLS_CERT) : null;
        String tlsKey = given.containsKey(Option.TLS_KEY) ? single(given, Option.TLS_KEY) : null;
        Options.TlsProvider tlsProvider = HttpOptionRules.tlsProvider(given, tlsCert);
        Options.Balancing balancer = oneOf(Option.BALANCER, single(given, Option.BALANCER), ProxyOptionRules.BALANCERS);
        if (balancer == Options.Balancing.KERNEL) {
            KernelBalancingRule.check(given);
        }
        String sticky = HttpOptionRules.sticky(single(given, Option.STICKY), mode);
        OptionalInt processes = ProcessOptionRules.processes(single(given, Option.PROCESSES));
        OptionalInt maxProcesses = given.containsKey(Option.MAX_PROCESSES)
                ? OptionalInt.of(positive(Option.MAX_PROCESSES, single(given, Option.MAX_PROCESSES)))
                : OptionalInt.empty();
        Duration tcpIdleTimeout = ProxyOptionRules.tcpIdleTimeout(single(given, Option.TCP_IDLE_TIMEOUT), mode);
        if (given.containsKey(Option.ADMIN_TOKEN) && given.containsKey(Option.ADMIN_TOKEN_FILE)) {
            throw new OptionException("admin-token-file=" + given.get(Option.ADMIN_TOKEN_FILE).get(0) + ": give either"
                    + " admin-token or admin-token-file, not both");
        }
        TrustedProxies trustedProxies = TrustedProxies.fromOption(given.get(Option.TRUSTED_PROXIES), mode);
        Strategy strategy = ProxyOptionRules.strategy(single(given, Option.STRATEGY));
        Duration shutdownTimeout = duration(Option.SHUTDOWN_TIMEOUT, single(given, Option.SHUTDOWN_TIMEOUT));
        LogMode log = oneOf(Option.LOG, single(given, Option.LOG), LogOptionRules.LOG_MODES);
        Duration restartDelay = duration(Option.RESTART_DELAY, single(given, Option.RESTART_DELAY));
        int maxRestarts = nonNegative(Option.MAX_RESTARTS, single(given, Option.MAX_RESTARTS));
        String adminValue = single(given, Option.ADMIN);
        InetSocketAddress admin = AdminOptions.parseAddress(adminValue);
        String adminToken = adminToken(given.containsKey(Option.ADMIN_TOKEN) ? single(given, Option.ADMIN_TOKEN) : null);
        String healthPath = HttpOptionRules.healthPath(single(given, Option.HEALTH));
        Duration healthInterval = positiveDuration(Option.HEALTH_INTERVAL, single(given, Option.HEALTH_INTERVAL));
        int healthThreshold = positive(Option.HEALTH_THRESHOLD, single(given, Option.HEALTH_THRESHOLD));
        long maxMemory = size(Option.MAX_MEMORY, single(given, Option.MAX_MEMORY));
        Duration readyTimeout = positiveDuration(Option.READY_TIMEOUT, single(given, Option.READY_TIMEOUT));
        int maxConnections = nonNegative(Option.MAX_CONNECTIONS, single(given, Option.MAX_CONNECTIONS));
        int maxQueue = nonNegative(Option.MAX_QUEUE, single(given, Option.MAX_QUEUE));
        Duration queueTimeout = positiveDuration(Option.QUEUE_TIMEOUT, single(given, Option.QUEUE_TIMEOUT));
        Duration headerTimeout = positiveDuration(Option.HEADER_TIMEOUT, single(given, Option.HEADER_TIMEOUT));
        Duration idleTimeout = positiveDuration(Option.IDLE_TIMEOUT, single(given, Option.IDLE_TIMEOUT));
        Duration responseTimeout = positiveDuration(Option.RESPONSE_TIMEOUT, single(given, Option.RESPONSE_TIMEOUT));
        Duration bodyTimeout = positiveDuration(Option.BODY_TIMEOUT, single(given, Option.BODY_TIMEOUT));
        Duration sendTimeout = positiveDuration(Option.SEND_TIMEOUT, single(given, Option.SEND_TIMEOUT));
        Options.H2cUpgrade h2cUpgrade = oneOf(Option.H2C_UPGRADE, single(given, Option.H2C_UPGRADE),
                HttpOptionRules.H2C_UPGRADES);
        Options.Http2 http2 = given.containsKey(Option.HTTP2)
                ? (oneOf(Option.HTTP2, single(given, Option.HTTP2), ON_OFF) ? Options.Http2.ON : Options.Http2.OFF)
                : Options.Http2.TLS_ONLY;
        int maxConcurrentStreams = positive(Option.MAX_CONCURRENT_STREAMS,
                single(given, Option.MAX_CONCURRENT_STREAMS));
        HttpOptionRules.CacheSizes cache = HttpOptionRules.cache(given, mode);
        Options.TransportChoice transport = ProxyOptionRules.transport(single(given, Option.TRANSPORT));
        Path adminTokenFile = given.containsKey(Option.ADMIN_TOKEN_FILE)
                ? Path.of(single(given, Option.ADMIN_TOKEN_FILE)) : null;
        Options.ProxyProtocol proxyProtocol = given.containsKey(Option.PROXY_PROTOCOL)
                ? oneOf(Option.PROXY_PROTOCOL, single(given, Option.PROXY_PROTOCOL), ProxyOptionRules.PROXY_PROTOCOLS)
                : Options.ProxyProtocol.OFF;
        StoreOptions store = StoreOptionRules.store(given);
        RecycleOptions recycle = ProcessOptionRules.recycle(given, balancer);
        LogOptions logs = LogOptionRules.logs(given, mode, log);
        Options written = new Options(
                new SupervisorOptions(0, 0, restartDelay, maxRestarts, shutdownTimeout, readyTimeout, maxMemory, log,
                        recycle),
                new ProxyOptions(ports, mode, balancer, strategy, transport, maxConnections, maxQueue, queueTimeout,
                        tcpIdleTimeout, proxyProtocol, ProxyOptionRules.eventLoops(single(given, Option.EVENT_LOOPS))),
                new HttpOptions(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, h2cUpgrade, sticky, null, null,
                        trustedProxies, cache.size(), cache.maxObject(), cache.statusHeader(), http2,
                        maxConcurrentStreams, tlsProvider),
                new HealthOptions(healthPath, healthInterval, healthThreshold),
                new AdminOptions(admin, adminToken, adminTokenFile),
                store,
                new ServiceOptions(ProcessOptionRules.pidFile(given)), logs);
        return new ParsedOptions(written, processes, maxProcesses, admin == null ? null : adminValue, tlsCert, tlsKey);
    }

    private static String adminToken(String value) throws OptionException {
        if (value == null) {
            return null;
        }
        if (!AdminToken.wellFormed(value)) {
            throw OptionException.badValue(Option.ADMIN_TOKEN, value.isEmpty() ? "" : "<hidden>");
        }
        return value;
    }

    /**
     * Every worker is a JVM: a scale to 100000 (a typo, or a request the endpoint should never have taken) would
     * fork until the machine dies. The default leaves room to scale up a few times over the processors.
     */
    static int defaultMaxProcesses(int processors) {
        return Math.max(8, 4 * processors);
    }
}
