package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the agent argument ({@code k=v,k=v}, a repeated key accumulates) and the optional {@code config=FILE}
 * properties file. The agent argument wins over the file, key by key.
 */
public final class OptionParser {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private OptionParser() {
    }

    public static Options parse(String agentArgument) throws OptionException {
        Map<Option, List<String>> given = split(agentArgument);
        List<String> proxyProtocol = given.get(Option.PROXY_PROTOCOL);
        if (proxyProtocol != null) {
            // checked before the config file is read: a file naming it is refused below with the same line
            throw proxyProtocolInAgent(proxyProtocol.get(0));
        }
        Options options = withConfigFile(given, true);
        if (options.proxyProtocol() != Options.ProxyProtocol.OFF) {
            throw proxyProtocolInAgent(options.proxyProtocol().name().toLowerCase(Locale.ROOT));
        }
        return options;
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
        return withConfigFile(split(agentArgument), false);
    }

    private static Options withConfigFile(Map<Option, List<String>> given, boolean parent) throws OptionException {
        List<String> config = given.remove(Option.CONFIG);
        if (config != null) {
            if (config.size() > 1) {
                throw new OptionException("config=" + config.get(1) + ": config may be given only once");
            }
            Map<Option, List<String>> fromFile = readFile(config.get(0));
            fromFile.forEach(given::putIfAbsent);
        }
        return build(given, parent);
    }

    /**
     * Options given as separate key/value pairs, in order (the standalone balancer's {@code --key value}), checked by
     * the same rules as the agent argument; a repeated key accumulates. {@code config} is read as in the agent
     * argument.
     */
    public static Options parsePairs(List<Map.Entry<String, String>> pairs) throws OptionException {
        Map<Option, List<String>> given = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            add(given, pair.getKey(), pair.getValue());
        }
        return withConfigFile(given, true);
    }

    private static Map<Option, List<String>> split(String agentArgument) throws OptionException {
        Map<Option, List<String>> given = new LinkedHashMap<>();
        if (agentArgument == null || agentArgument.isBlank()) {
            return given;
        }
        Option previous = null;
        for (String pair : agentArgument.split(",", -1)) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals < 0 && LISTS.contains(previous)) {
                // trusted-proxies=10.0.0.0/8,192.168.1.5: a piece without '=' cannot be a key, so it continues the
                // list before it
                given.get(previous).add(trimmed);
                continue;
            }
            if (equals <= 0) {
                throw new OptionException(trimmed + ": expected key=value (known keys: " + Option.knownKeys() + ")");
            }
            String key = trimmed.substring(0, equals).trim();
            add(given, key, trimmed.substring(equals + 1).trim());
            previous = Option.byKey(key);
        }
        return given;
    }

    /** Options whose value is a list: a repeated key accumulates, and so do comma-separated values. */
    private static final Set<Option> LISTS = EnumSet.of(Option.PORT, Option.TRUSTED_PROXIES);

    private static void add(Map<Option, List<String>> given, String key, String value) throws OptionException {
        Option option = Option.byKey(key);
        if (option == null) {
            throw new OptionException(key + "=" + value + ": unknown option (known: " + Option.knownKeys() + ")");
        }
        given.computeIfAbsent(option, o -> new ArrayList<>()).add(value);
    }

    private static Map<Option, List<String>> readFile(String file) throws OptionException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new OptionException("config=" + file + ": file not found");
        } catch (IOException | IllegalArgumentException e) {
            throw new OptionException("config=" + file + ": cannot read it (" + e.getMessage() + ")");
        }
        Map<Option, List<String>> given = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.equals(Option.CONFIG.key())) {
                throw new OptionException("config=" + file + ": a config file cannot name another config file");
            }
            // a file cannot repeat a key, so a list is written port=8080,8443
            for (String value : properties.getProperty(key).split(",", -1)) {
                add(given, key.trim(), value.trim());
            }
        }
        return given;
    }

    private static Options build(Map<Option, List<String>> given, boolean parent) throws OptionException {
        List<Integer> ports = new ArrayList<>();
        for (String value : given.getOrDefault(Option.PORT, List.of())) {
            int port = integer(Option.PORT, value);
            if (port < 1 || port > 65535) {
                throw OptionException.badValue(Option.PORT, value);
            }
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        Options.Mode mode = mode(single(given, Option.MODE));
        Path tlsCert = readableFile(given, Option.TLS_CERT);
        Path tlsKey = readableFile(given, Option.TLS_KEY);
        if ((tlsCert == null) != (tlsKey == null)) {
            Option missing = tlsCert == null ? Option.TLS_CERT : Option.TLS_KEY;
            Option present = tlsCert == null ? Option.TLS_KEY : Option.TLS_CERT;
            throw new OptionException(present.key() + "=" + given.get(present).get(0) + ": needs " + missing.key()
                    + " too (" + missing.accepts() + ")");
        }
        if (tlsCert != null && mode != Options.Mode.HTTP) {
            throw new OptionException("tls-cert=" + given.get(Option.TLS_CERT).get(0) + ": needs mode=http (in tcp"
                    + " mode TLS passes through to the app untouched)");
        }
        Options.Balancing balancer = balancer(single(given, Option.BALANCER));
        if (balancer == Options.Balancing.KERNEL) {
            checkKernelBalancing(given);
        }
        String sticky = sticky(single(given, Option.STICKY), mode);
        int processes = processes(single(given, Option.PROCESSES));
        int maxProcesses = maxProcesses(given, processes, parent);
        Duration tcpIdleTimeout = tcpIdleTimeout(single(given, Option.TCP_IDLE_TIMEOUT), mode);
        if (given.containsKey(Option.ADMIN_TOKEN) && given.containsKey(Option.ADMIN_TOKEN_FILE)) {
            throw new OptionException("admin-token-file=" + given.get(Option.ADMIN_TOKEN_FILE).get(0) + ": give either"
                    + " admin-token or admin-token-file, not both");
        }
        TrustedProxies trustedProxies = trustedProxies(given.get(Option.TRUSTED_PROXIES), mode);
        return new Options(
                processes,
                strategy(single(given, Option.STRATEGY)),
                ports,
                duration(Option.SHUTDOWN_TIMEOUT, single(given, Option.SHUTDOWN_TIMEOUT)),
                logMode(single(given, Option.LOG)),
                duration(Option.RESTART_DELAY, single(given, Option.RESTART_DELAY)),
                nonNegative(Option.MAX_RESTARTS, single(given, Option.MAX_RESTARTS)),
                admin(single(given, Option.ADMIN)),
                adminToken(given.containsKey(Option.ADMIN_TOKEN) ? single(given, Option.ADMIN_TOKEN) : null),
                healthPath(single(given, Option.HEALTH)),
                positiveDuration(Option.HEALTH_INTERVAL, single(given, Option.HEALTH_INTERVAL)),
                positive(Option.HEALTH_THRESHOLD, single(given, Option.HEALTH_THRESHOLD)),
                size(Option.MAX_MEMORY, single(given, Option.MAX_MEMORY)),
                positiveDuration(Option.READY_TIMEOUT, single(given, Option.READY_TIMEOUT)),
                mode,
                tlsCert,
                tlsKey,
                sticky,
                nonNegative(Option.MAX_CONNECTIONS, single(given, Option.MAX_CONNECTIONS)),
                nonNegative(Option.MAX_QUEUE, single(given, Option.MAX_QUEUE)),
                positiveDuration(Option.QUEUE_TIMEOUT, single(given, Option.QUEUE_TIMEOUT)),
                positiveDuration(Option.HEADER_TIMEOUT, single(given, Option.HEADER_TIMEOUT)),
                positiveDuration(Option.IDLE_TIMEOUT, single(given, Option.IDLE_TIMEOUT)),
                positiveDuration(Option.RESPONSE_TIMEOUT, single(given, Option.RESPONSE_TIMEOUT)),
                positiveDuration(Option.BODY_TIMEOUT, single(given, Option.BODY_TIMEOUT)),
                h2cUpgrade(single(given, Option.H2C_UPGRADE)),
                transport(single(given, Option.TRANSPORT)),
                balancer,
                maxProcesses,
                given.containsKey(Option.ADMIN_TOKEN_FILE) ? Path.of(single(given, Option.ADMIN_TOKEN_FILE)) : null,
                tcpIdleTimeout,
                trustedProxies,
                proxyProtocol(given.containsKey(Option.PROXY_PROTOCOL) ? single(given, Option.PROXY_PROTOCOL) : null));

    }

    /** Options that only the parent's proxy can honour: with balancer=kernel no byte passes through the parent. */
    private static final List<Option> NEED_THE_PROXY = List.of(Option.MODE, Option.STRATEGY, Option.TLS_CERT,
            Option.TLS_KEY, Option.STICKY, Option.MAX_CONNECTIONS, Option.MAX_QUEUE, Option.QUEUE_TIMEOUT,
            Option.HEADER_TIMEOUT, Option.IDLE_TIMEOUT, Option.RESPONSE_TIMEOUT, Option.BODY_TIMEOUT,
            Option.H2C_UPGRADE, Option.TRANSPORT,
            Option.TCP_IDLE_TIMEOUT, Option.TRUSTED_PROXIES);

    private static Options.H2cUpgrade h2cUpgrade(String value) throws OptionException {
        switch (value) {
            case "refuse":
                return Options.H2cUpgrade.REFUSE;
            case "pass":
                return Options.H2cUpgrade.PASS;
            default:
                throw OptionException.badValue(Option.H2C_UPGRADE, value);
        }
    }

    private static Options.Balancing balancer(String value) throws OptionException {
        switch (value) {
            case "proxy":
                return Options.Balancing.PROXY;
            case "kernel":
                String os = System.getProperty("os.name", "");
                if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                    throw new OptionException("balancer=kernel: needs Linux (SO_REUSEPORT spreads connections over"
                            + " processes only there; this is " + os + "); use balancer=proxy");
                }
                return Options.Balancing.KERNEL;
            default:
                throw OptionException.badValue(Option.BALANCER, value);
        }
    }

    /**
     * balancer=kernel leaves the parent out of the data path, so an option that only the proxy can honour is an
     * error rather than silently ignored. The defaults (mode=tcp, sticky=off, max-connections=0) are fine.
     */
    private static void checkKernelBalancing(Map<Option, List<String>> given) throws OptionException {
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
                case TRANSPORT -> value.equals("auto");
                case TCP_IDLE_TIMEOUT -> value.equals("off");
                case H2C_UPGRADE -> value.equals("refuse");
                default -> false;
            };
            if (!harmless) {
                throw new OptionException("balancer=kernel has no proxy: " + option.key() + "=" + value
                        + " needs balancer=proxy");
            }
        }
        String health = single(given, Option.HEALTH);
        if (!health.equals("tcp")) {
            throw new OptionException("balancer=kernel has no proxy: health=" + health + " needs balancer=proxy (the"
                    + " kernel picks the worker of each connection, so an HTTP probe cannot reach a chosen worker;"
                    + " health=tcp checks that each worker still listens)");
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");

    /**
     * {@code 9090} means 127.0.0.1:9090; {@code host:port} and {@code [v6]:port} name the host. Anyone who reaches
     * the endpoint can reload, scale and restart workers, so a host other than loopback needs a token: the parent
     * checks that once it knows the token ({@link AdminToken}), since the token may come from its environment.
     */
    static InetSocketAddress admin(String value) throws OptionException {
        if (value.equals("off")) {
            return null;
        }
        String host = "127.0.0.1";
        String port = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw OptionException.badValue(Option.ADMIN, value);
        }
        if (number < 1 || number > 65535 || host.isEmpty()) {
            throw OptionException.badValue(Option.ADMIN, value);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new OptionException("admin=" + value + ": unknown host '" + host + "'");
        }
        return new InetSocketAddress(address, number);
    }

    /** {@code 127.0.0.1:9090}, {@code [::1]:9090}: an address as an option value names it. */
    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
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

    private static int maxProcesses(Map<Option, List<String>> given, int processes, boolean parent)
            throws OptionException {
        boolean chosen = given.containsKey(Option.MAX_PROCESSES);
        int max = chosen ? positive(Option.MAX_PROCESSES, single(given, Option.MAX_PROCESSES))
                : defaultMaxProcesses(Runtime.getRuntime().availableProcessors());
        if (parent && processes > max) {
            throw new OptionException("processes=" + processes + ": more than max-processes=" + max
                    + (chosen ? "" : " (the default: 4 x " + Runtime.getRuntime().availableProcessors()
                    + " processors, at least 8)") + "; give max-processes=" + processes + " or more to run that many");
        }
        return max;
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

    private static Options.Mode mode(String value) throws OptionException {
        switch (value) {
            case "tcp":
                return Options.Mode.TCP;
            case "http":
                return Options.Mode.HTTP;
            default:
                throw OptionException.badValue(Option.MODE, value);
        }
    }

    /** Not given: off. Given: a version, nothing else (there is no point in writing proxy-protocol=off). */
    private static Options.ProxyProtocol proxyProtocol(String value) throws OptionException {
        if (value == null) {
            return Options.ProxyProtocol.OFF;
        }
        return switch (value) {
            case "v1" -> Options.ProxyProtocol.V1;
            case "v2" -> Options.ProxyProtocol.V2;
            default -> throw OptionException.badValue(Option.PROXY_PROTOCOL, value);
        };
    }

    private static Options.TransportChoice transport(String value) throws OptionException {
        for (Options.TransportChoice choice : Options.TransportChoice.values()) {
            if (choice.key().equals(value)) {
                return choice;
            }
        }
        throw OptionException.badValue(Option.TRANSPORT, value);
    }

    /** Only checks that the file is there; what is in it is checked when the parent loads it. */
    private static Path readableFile(Map<Option, List<String>> given, Option option) throws OptionException {
        List<String> values = given.get(option);
        if (values == null) {
            return null;
        }
        String value = single(given, option);
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new OptionException(option.key() + "=" + value + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new OptionException(option.key() + "=" + value + ": the file is not readable by this user");
        }
        return file.toAbsolutePath();
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

    /**
     * Each value may itself be a comma-separated list ({@code --trusted-proxies 10.0.0.0/8,192.168.1.5} of the
     * standalone balancer).
     */
    private static TrustedProxies trustedProxies(List<String> values, Options.Mode mode) throws OptionException {
        if (values == null) {
            return TrustedProxies.NONE;
        }
        List<String> ranges = new ArrayList<>();
        for (String value : values) {
            for (String range : value.split(",")) {
                if (!range.isBlank()) {
                    ranges.add(range.trim());
                }
            }
        }
        if (ranges.isEmpty()) {
            throw OptionException.badValue(Option.TRUSTED_PROXIES, String.join(",", values));
        }
        TrustedProxies trusted = TrustedProxies.parse(ranges);
        if (mode != Options.Mode.HTTP && !trusted.isEmpty()) {
            throw new OptionException("trusted-proxies=" + String.join(",", ranges) + ": needs mode=http (in tcp"
                    + " mode the balancer does not read requests, so it neither adds nor removes forwarding headers)");
        }
        return trusted;
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

    private static int positive(Option option, String value) throws OptionException {
        return atLeast(1, option, value);
    }

    private static Duration positiveDuration(Option option, String value) throws OptionException {
        Duration duration = duration(option, value);
        if (duration.isZero()) {
            throw OptionException.badValue(option, value);
        }
        return duration;
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

    private static String single(Map<Option, List<String>> given, Option option) throws OptionException {
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

    private static int processes(String value) throws OptionException {
        if (value.equals("auto")) {
            return Runtime.getRuntime().availableProcessors();
        }
        int processes = integer(Option.PROCESSES, value);
        if (processes < 1) {
            throw OptionException.badValue(Option.PROCESSES, value);
        }
        return processes;
    }

    private static Strategy strategy(String value) throws OptionException {
        Strategy strategy = Strategy.byOptionValue(value);
        if (strategy == null) {
            throw OptionException.badValue(Option.STRATEGY, value);
        }
        return strategy;
    }

    private static LogMode logMode(String value) throws OptionException {
        switch (value) {
            case "prefix":
                return LogMode.PREFIX;
            case "inherit":
                return LogMode.INHERIT;
            default:
                throw OptionException.badValue(Option.LOG, value);
        }
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

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration duration(Option option, String value) throws OptionException {
        NumberAndUnit parsed = numberAndUnit(DURATION, option, value);
        long amount = parsed.amount();
        switch (parsed.unit()) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            default:
                return Duration.ofHours(amount);
        }
    }
}
