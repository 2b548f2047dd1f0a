package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the agent argument ({@code k=v,k=v}, a repeated key accumulates) and the optional {@code config=FILE}
 * properties file; the agent argument wins over the file, key by key. Parsing turns strings into values and checks
 * them against each other without asking the machine anything; then {@link OptionChecks} checks what depends on the
 * machine (processors, OS, host names, files). Of two bad values, the one parsing finds is named.
 */
public final class OptionParser {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");

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
        List<Integer> ports = ports(given.getOrDefault(Option.PORT, List.of()));
        Options.Mode mode = oneOf(Option.MODE, single(given, Option.MODE), MODES);
        if (mode == Options.Mode.GRPC) {
            httpOnlyInGrpc(given);
        }
        String tlsCert = given.containsKey(Option.TLS_CERT) ? single(given, Option.TLS_CERT) : null;
        String tlsKey = given.containsKey(Option.TLS_KEY) ? single(given, Option.TLS_KEY) : null;
        Options.TlsProvider tlsProvider = tlsProvider(given, tlsCert);
        Options.Balancing balancer = oneOf(Option.BALANCER, single(given, Option.BALANCER), BALANCERS);
        if (balancer == Options.Balancing.KERNEL) {
            KernelBalancingRule.check(given);
        }
        String sticky = sticky(single(given, Option.STICKY), mode);
        OptionalInt processes = processes(single(given, Option.PROCESSES));
        OptionalInt maxProcesses = given.containsKey(Option.MAX_PROCESSES)
                ? OptionalInt.of(positive(Option.MAX_PROCESSES, single(given, Option.MAX_PROCESSES)))
                : OptionalInt.empty();
        Duration tcpIdleTimeout = tcpIdleTimeout(single(given, Option.TCP_IDLE_TIMEOUT), mode);
        if (given.containsKey(Option.ADMIN_TOKEN) && given.containsKey(Option.ADMIN_TOKEN_FILE)) {
            throw new OptionException("admin-token-file=" + given.get(Option.ADMIN_TOKEN_FILE).get(0) + ": give either"
                    + " admin-token or admin-token-file, not both");
        }
        TrustedProxies trustedProxies = TrustedProxies.fromOption(given.get(Option.TRUSTED_PROXIES), mode);
        Strategy strategy = strategy(single(given, Option.STRATEGY));
        Duration shutdownTimeout = duration(Option.SHUTDOWN_TIMEOUT, single(given, Option.SHUTDOWN_TIMEOUT));
        LogMode log = oneOf(Option.LOG, single(given, Option.LOG), LOG_MODES);
        Duration restartDelay = duration(Option.RESTART_DELAY, single(given, Option.RESTART_DELAY));
        int maxRestarts = nonNegative(Option.MAX_RESTARTS, single(given, Option.MAX_RESTARTS));
        String adminValue = single(given, Option.ADMIN);
        InetSocketAddress admin = AdminOptions.parseAddress(adminValue);
        String adminToken = adminToken(given.containsKey(Option.ADMIN_TOKEN) ? single(given, Option.ADMIN_TOKEN) : null);
        String healthPath = healthPath(single(given, Option.HEALTH));
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
        Options.H2cUpgrade h2cUpgrade = oneOf(Option.H2C_UPGRADE, single(given, Option.H2C_UPGRADE), H2C_UPGRADES);
        Options.Http2 http2 = given.containsKey(Option.HTTP2)
                ? (oneOf(Option.HTTP2, single(given, Option.HTTP2), ON_OFF) ? Options.Http2.ON : Options.Http2.OFF)
                : Options.Http2.TLS_ONLY;
        int maxConcurrentStreams = positive(Option.MAX_CONCURRENT_STREAMS,
                single(given, Option.MAX_CONCURRENT_STREAMS));
        CacheSizes cache = cache(given, mode);
        Options.TransportChoice transport = transport(single(given, Option.TRANSPORT));
        Path adminTokenFile = given.containsKey(Option.ADMIN_TOKEN_FILE)
                ? Path.of(single(given, Option.ADMIN_TOKEN_FILE)) : null;
        Options.ProxyProtocol proxyProtocol = given.containsKey(Option.PROXY_PROTOCOL)
                ? oneOf(Option.PROXY_PROTOCOL, single(given, Option.PROXY_PROTOCOL), PROXY_PROTOCOLS)
                : Options.ProxyProtocol.OFF;
        StoreOptions store = store(given);
        RecycleOptions recycle = recycle(given, balancer);
        LogOptions logs = logs(given, mode, log);
        Options written = new Options(
                new SupervisorOptions(0, 0, restartDelay, maxRestarts, shutdownTimeout, readyTimeout, maxMemory, log,
                        recycle),
                new ProxyOptions(ports, mode, balancer, strategy, transport, maxConnections, maxQueue, queueTimeout,
                        tcpIdleTimeout, proxyProtocol, eventLoops(single(given, Option.EVENT_LOOPS))),
                new HttpOptions(headerTimeout, idleTimeout, responseTimeout, bodyTimeout, sendTimeout, h2cUpgrade, sticky, null, null,
                        trustedProxies, cache.size(), cache.maxObject(), cache.statusHeader(), http2,
                        maxConcurrentStreams, tlsProvider),
                new HealthOptions(healthPath, healthInterval, healthThreshold),
                new AdminOptions(admin, adminToken, adminTokenFile),
                store,
                new ServiceOptions(pidFile(given)), logs);
        return new ParsedOptions(written, processes, maxProcesses, admin == null ? null : adminValue, tlsCert, tlsKey);
    }

    /**
     * Options of http mode's HTTP/1.1 proxy that mean nothing to gRPC calls (relayed as HTTP/2 frames: no request
     * framing to time, no cookies, nothing cacheable, always HTTP/2): given with mode=grpc, refused rather than
     * silently ignored. (tls-cert, trusted-proxies, idle-timeout, send-timeout and max-concurrent-streams apply to
     * both.)
     */
    private static void httpOnlyInGrpc(Map<Option, List<String>> given) throws OptionException {
        for (Option option : List.of(Option.HEADER_TIMEOUT, Option.RESPONSE_TIMEOUT, Option.BODY_TIMEOUT,
                Option.H2C_UPGRADE, Option.STICKY, Option.CACHE, Option.CACHE_MAX_OBJECT, Option.CACHE_STATUS_HEADER)) {
            List<String> values = given.get(option);
            if (values != null && !values.isEmpty()) {
                throw new OptionException(option.key() + "=" + values.get(0) + ": needs mode=http (mode=grpc relays"
                        + " each call's HTTP/2 frames: its deadline is the call's grpc-timeout, it has no cookies and"
                        + " nothing cacheable, and one worker connection carries many clients' calls)");
            }
        }
        List<String> proxyProtocol = given.get(Option.PROXY_PROTOCOL);
        if (proxyProtocol != null && !proxyProtocol.isEmpty()) {
            throw new OptionException("proxy-protocol=" + proxyProtocol.get(0) + ": not with mode=grpc (one backend"
                    + " connection carries the calls of many clients, so no PROXY header can name one; backends read"
                    + " the client from x-forwarded-for)");
        }
        List<String> http2 = given.get(Option.HTTP2);
        if (http2 != null && !http2.isEmpty() && http2.get(0).equals("off")) {
            throw new OptionException("http2=off: mode=grpc needs HTTP/2 (gRPC is HTTP/2 only); leave http2 out");
        }
    }

    private static final Map<String, Options.Mode> MODES = Map.of("tcp", Options.Mode.TCP, "http", Options.Mode.HTTP,
            "grpc", Options.Mode.GRPC);
    private static final Map<String, Options.Balancing> BALANCERS = Map.of(
            "proxy", Options.Balancing.PROXY, "kernel", Options.Balancing.KERNEL);
    private static final Map<String, LogMode> LOG_MODES = Map.of("prefix", LogMode.PREFIX, "inherit", LogMode.INHERIT);
    private static final Map<String, Boolean> SESSIONS = Map.of("off", false, "shared", true);
    private static final Map<String, Options.H2cUpgrade> H2C_UPGRADES = Map.of(
            "refuse", Options.H2cUpgrade.REFUSE, "pass", Options.H2cUpgrade.PASS);
    /** Given: a version, nothing else (there is no point in writing proxy-protocol=off). */
    private static final Map<String, Options.ProxyProtocol> PROXY_PROTOCOLS = Map.of(
            "v1", Options.ProxyProtocol.V1, "v2", Options.ProxyProtocol.V2);

    private static final Map<String, Boolean> ON_OFF = Map.of("on", true, "off", false);

    private record CacheSizes(long size, long maxObject, boolean statusHeader) {
    }

    private static CacheSizes cache(Map<Option, List<String>> given, Options.Mode mode) throws OptionException {
        String sizeValue = single(given, Option.CACHE);
        long size = size(Option.CACHE, sizeValue);
        String maxObjectValue = single(given, Option.CACHE_MAX_OBJECT);
        long maxObject = sizeNotOff(Option.CACHE_MAX_OBJECT, maxObjectValue);
        boolean statusHeader = oneOf(Option.CACHE_STATUS_HEADER, single(given, Option.CACHE_STATUS_HEADER), ON_OFF);
        if (size > 0 && mode != Options.Mode.HTTP) {
            throw new OptionException("cache=" + sizeValue + ": needs mode=http (the cache answers HTTP requests;"
                    + " tcp mode relays bytes it does not read)");
        }
        if (size > 0 && maxObject > size) {
            throw new OptionException("cache-max-object=" + maxObjectValue + ": at most cache=" + sizeValue
                    + "; give a smaller cache-max-object or a larger cache");
        }
        return new CacheSizes(size, maxObject, statusHeader);
    }

    private static RecycleOptions recycle(Map<Option, List<String>> given, Options.Balancing balancer)
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

    /** Up to half of Long.MAX_VALUE, so that a sum of two never overflows. */
    private static long nonNegativeLong(Option option, String value) throws OptionException {
        try {
            long number = Long.parseLong(value);
            if (number < 0 || number > Long.MAX_VALUE / 2) {
                throw OptionException.badValue(option, value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }

    private static final Map<String, LogOptions.Time> LOG_TIMES = Map.of(
            "iso8601", LogOptions.Time.ISO8601, "off", LogOptions.Time.OFF, "auto", LogOptions.Time.AUTO);
    private static final Map<String, LogOptions.Format> LOG_FORMATS = Map.of(
            "text", LogOptions.Format.TEXT, "json", LogOptions.Format.JSON);

    private static LogOptions logs(Map<Option, List<String>> given, Options.Mode mode, LogMode relay)
            throws OptionException {
        LogOptions.Time time = oneOf(Option.LOG_TIME, single(given, Option.LOG_TIME), LOG_TIMES);
        LogOptions.Format format = oneOf(Option.LOG_FORMAT, single(given, Option.LOG_FORMAT), LOG_FORMATS);
        if (format == LogOptions.Format.JSON && relay == LogMode.INHERIT) {
            throw new OptionException("log-format=json: needs log=prefix (with log=inherit the workers write"
                    + " straight to the output, so the parent cannot turn their lines into JSON)");
        }
        String accessLog = single(given, Option.ACCESS_LOG);
        if (accessLog.equals("off")) {
            return new LogOptions(time, format, null);
        }
        if (accessLog.isEmpty() || accessLog.chars().anyMatch(c -> c < ' ' || c == 127)) {
            throw OptionException.badValue(Option.ACCESS_LOG, accessLog);
        }
        if (mode == Options.Mode.TCP) {
            throw new OptionException("access-log=" + accessLog + ": needs mode=http or mode=grpc (tcp mode relays"
                    + " bytes and sees no requests)");
        }
        return new LogOptions(time, format, accessLog);
    }

    private static StoreOptions store(Map<Option, List<String>> given) throws OptionException {
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

    /** Null when not given; the directory is checked when the parent writes the file (PidFile). */
    private static Path pidFile(Map<Option, List<String>> given) throws OptionException {
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

    /** A size where {@code off} makes no sense. */
    private static long sizeNotOff(Option option, String value) throws OptionException {
        if (value.equals("off")) {
            throw OptionException.badValue(option, value);
        }
        return size(option, value);
    }

    private static <T> T oneOf(Option option, String value, Map<String, T> choices) throws OptionException {
        T choice = choices.get(value);
        if (choice == null) {
            throw OptionException.badValue(option, value);
        }
        return choice;
    }

    private static List<Integer> ports(List<String> values) throws OptionException {
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

    /** Empty for auto: the processors are the machine's to say. */
    private static OptionalInt processes(String value) throws OptionException {
        if (value.equals("auto")) {
            return OptionalInt.empty();
        }
        int processes = integer(Option.PROCESSES, value);
        if (processes < 1) {
            throw OptionException.badValue(Option.PROCESSES, value);
        }
        return OptionalInt.of(processes);
    }

    private static Duration tcpIdleTimeout(String value, Options.Mode mode) throws OptionException {
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

    /** Given without tls-cert it would choose nothing: refused rather than silently ignored. */
    private static Options.TlsProvider tlsProvider(Map<Option, List<String>> given, String tlsCert)
            throws OptionException {
        String value = single(given, Option.TLS_PROVIDER);
        Options.TlsProvider choice = null;
        for (Options.TlsProvider provider : Options.TlsProvider.values()) {
            if (provider.key().equals(value)) {
                choice = provider;
            }
        }
        if (choice == null) {
            throw OptionException.badValue(Option.TLS_PROVIDER, value);
        }
        if (given.containsKey(Option.TLS_PROVIDER) && tlsCert == null) {
            throw new OptionException("tls-provider=" + value + ": needs tls-cert (it chooses who terminates the"
                    + " parent's TLS; without tls-cert there is none)");
        }
        return choice;
    }

    private static Options.TransportChoice transport(String value) throws OptionException {
        for (Options.TransportChoice choice : Options.TransportChoice.values()) {
            if (choice.key().equals(value)) {
                return choice;
            }
        }
        throw OptionException.badValue(Option.TRANSPORT, value);
    }

    private static String sticky(String value, Options.Mode mode) throws OptionException {
        if (value.equals(Options.NOT_STICKY)) {
            return value;
        }
        // a cookie name is an RFC 6265 token
        if (!value.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw OptionException.badValue(Option.STICKY, value);
        }
        if (mode != Options.Mode.HTTP) {
            throw new OptionException("sticky=" + value + ": needs mode=http (in tcp mode the balancer does not read"
                    + " requests, so it cannot see cookies)");
        }
        return value;
    }

    private static String healthPath(String value) throws OptionException {
        if (value.equals("tcp")) {
            return null;
        }
        if (!value.startsWith("/") || value.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw OptionException.badValue(Option.HEALTH, value);
        }
        return value;
    }

    private static Strategy strategy(String value) throws OptionException {
        Strategy strategy = Strategy.byOptionValue(value);
        if (strategy == null) {
            throw OptionException.badValue(Option.STRATEGY, value);
        }
        return strategy;
    }

    /** The one value of {@code option}, or its default when not given; given twice is an error. */
    static String single(Map<Option, List<String>> given, Option option) throws OptionException {
        List<String> values = given.get(option);
        if (values == null) {
            return option.defaultValue();
        }
        if (values.size() > 1) {
            throw new OptionException(option.key() + "=" + values.get(1) + ": " + option.key()
                    + " may be given only once (it was also " + option.key() + "=" + values.get(0) + ")");
        }
        return values.get(0);
    }

    /** event-loops: "auto" is 0 (the balancer decides), else a positive count. */
    private static int eventLoops(String value) throws OptionException {
        return value.equals("auto") ? 0 : positive(Option.EVENT_LOOPS, value);
    }

    private static int positive(Option option, String value) throws OptionException {
        return atLeast(1, option, value);
    }

    private static int nonNegative(Option option, String value) throws OptionException {
        return atLeast(0, option, value);
    }

    private static int atLeast(int minimum, Option option, String value) throws OptionException {
        int number = integer(option, value);
        if (number < minimum) {
            throw OptionException.badValue(option, value);
        }
        return number;
    }

    private static int integer(Option option, String value) throws OptionException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }

    private static Duration positiveDuration(Option option, String value) throws OptionException {
        Duration duration = duration(option, value);
        if (duration.isZero()) {
            throw OptionException.badValue(option, value);
        }
        return duration;
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration duration(Option option, String value) throws OptionException {
        NumberAndUnit parsed = numberAndUnit(DURATION, option, value);
        long amount = parsed.amount();
        return switch (parsed.unit()) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** {@code 512m}, {@code 2g}, {@code 64k}, plain bytes; {@code off} is 0. */
    static long size(Option option, String value) throws OptionException {
        if (value.equals("off")) {
            return 0;
        }
        NumberAndUnit parsed = numberAndUnit(SIZE, option, value);
        long amount = parsed.amount();
        int shift = switch (parsed.unit()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (amount == 0 || amount > (Long.MAX_VALUE >> shift)) {
            throw OptionException.badValue(option, value);
        }
        return amount << shift;
    }

    private record NumberAndUnit(long amount, String unit) {
    }

    /** A value like {@code 30s} or {@code 512m}: its number and unit; a bad form or an overflow is a bad value. */
    private static NumberAndUnit numberAndUnit(Pattern pattern, Option option, String value) throws OptionException {
        Matcher matcher = pattern.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw OptionException.badValue(option, value);
        }
        try {
            return new NumberAndUnit(Long.parseLong(matcher.group(1)), matcher.group(2));
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }
}
