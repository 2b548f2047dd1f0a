package io.jcluster.agent.standalone;

import io.jcluster.agent.config.Option;
import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@code java -jar jcluster.jar balance}: {@code --listen [HOST:]PORT} (repeatable),
 * {@code --backend HOST:PORT} (repeatable, at least one), and every agent option that makes sense without workers
 * as {@code --key value} or {@code --key=value}, checked by the agent's own {@link OptionParser}.
 */
record BalanceArguments(List<InetSocketAddress> listen, List<InetSocketAddress> backends, Options options,
                        Duration probePeriod) {

    /** How often a backend that is down is probed, unless --health-interval says otherwise. */
    static final Duration DEFAULT_PROBE_PERIOD = Duration.ofSeconds(1);

    private static final String WORKERS_ONLY = "applies to the agent only (it concerns workers; the standalone balancer runs none)";

    /**
     * THE list of agent options the standalone balancer refuses, with why; every other agent option is accepted.
     * Keys, not enum constants, so that an option added to the agent later is decided here by name.
     */
    static final Map<String, String> AGENT_ONLY = agentOnly();

    private static Map<String, String> agentOnly() {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (String key : List.of("processes", "port", "log", "restart-delay", "max-restarts", "max-memory",
                "ready-timeout", "health-threshold", "max-processes", "max-requests", "max-requests-jitter",
                "max-age")) {
            reasons.put(key, WORKERS_ONLY);
        }
        reasons.put("config", "applies to the agent only; give the standalone balancer its options on the command line");
        reasons.put("health", "applies to the agent only; the standalone balancer probes a backend that is down with"
                + " a tcp connect (--health-interval sets how often)");
        reasons.put("balancer", "applies to the agent only (balancer=kernel lets workers share the app's port);"
                + " the standalone balancer is a proxy");
        for (String key : List.of("store", "store-size", "store-timeout", "max-message")) {
            reasons.put(key, "applies to the agent only: the Cluster API's store serves workers, which the standalone"
                    + " balancer does not run");
        }
        reasons.put("sessions", "applies to the agent only: shared sessions live inside the workers' servers, which"
                + " the standalone balancer does not run (it balances servers of your own)");
        return Map.copyOf(reasons);
    }

    /** A bad command line; the message is the one line to show after "jcluster balance: ". */
    static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;

        BadArguments(String message) {
            super(message);
        }
    }

    /** True when {@code args} ask for the usage text. */
    static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h") || arg.equals("help")) {
                return true;
            }
        }
        return false;
    }

    static BalanceArguments parse(String[] args) throws BadArguments {
        List<String> listenValues = new ArrayList<>();
        List<String> backendValues = new ArrayList<>();
        List<Map.Entry<String, String>> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new BadArguments("unexpected argument '" + arg + "' (options start with --; see --help)");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new BadArguments("--" + name + " needs a value (" + accepts(name) + ")");
            }
            switch (name) {
                case "listen" -> listenValues.add(value);
                case "backend" -> backendValues.add(value);
                default -> {
                    Option option = option(name);
                    if (option == null) {
                        throw new BadArguments("--" + name + ": unknown option (known: " + knownOptions() + ")");
                    }
                    String reason = AGENT_ONLY.get(name);
                    if (reason != null) {
                        throw new BadArguments("--" + name + ": " + reason);
                    }
                    options.add(Map.entry(name, value));
                }
            }
        }
        if (listenValues.isEmpty()) {
            throw new BadArguments("--listen is missing: say where clients connect, e.g. --listen 9000 or"
                    + " --listen 127.0.0.1:9000");
        }
        if (backendValues.isEmpty()) {
            throw new BadArguments("--backend is missing: name at least one server to balance over, e.g."
                    + " --backend 127.0.0.1:8081");
        }
        List<InetSocketAddress> listen = new ArrayList<>();
        for (String value : listenValues) {
            addOnce(listen, "--listen", value, address("--listen", value, true));
        }
        List<InetSocketAddress> backends = new ArrayList<>();
        for (String value : backendValues) {
            addOnce(backends, "--backend", value, address("--backend", value, false));
        }
        Options parsed;
        try {
            parsed = OptionParser.parsePairs(options);
        } catch (OptionException e) {
            throw new BadArguments(asFlags(e.getMessage(), options));
        }
        Duration probePeriod = options.stream().anyMatch(pair -> pair.getKey().equals(Option.HEALTH_INTERVAL.key()))
                ? parsed.health().interval() : DEFAULT_PROBE_PERIOD;
        return new BalanceArguments(listen, backends, parsed, probePeriod);
    }

    private static void addOnce(List<InetSocketAddress> addresses, String flag, String value, InetSocketAddress address)
            throws BadArguments {
        if (addresses.contains(address)) {
            throw new BadArguments(flag + " " + value + ": given twice");
        }
        addresses.add(address);
    }

    /**
     * {@code HOST:PORT}, {@code [IPV6]:PORT}; for --listen also {@code PORT} alone (all interfaces, as a server
     * binding that port would).
     */
    static InetSocketAddress address(String flag, String value, boolean portAlone) throws BadArguments {
        String expected = portAlone ? "expected PORT or HOST:PORT (e.g. 9000 or 127.0.0.1:9000)"
                : "expected HOST:PORT (e.g. 127.0.0.1:8081)";
        String where = flag + " " + value + ": ";
        int colon = value.lastIndexOf(':');
        String host;
        String port;
        if (colon < 0) {
            if (!portAlone) {
                throw new BadArguments(where + "the port is missing; " + expected);
            }
            host = "0.0.0.0";
            port = value;
        } else {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new BadArguments(where + "write an IPv6 address in brackets, e.g. [::1]:8081");
            }
            if (host.isEmpty()) {
                throw new BadArguments(where + "the host is missing; " + expected);
            }
        }
        if (port.isEmpty()) {
            throw new BadArguments(where + "the port is missing; " + expected);
        }
        if (!port.matches("[0-9]{1,9}")) {
            throw new BadArguments(where + "port '" + port + "' is not a number; " + expected);
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw new BadArguments(where + "port must be 1-65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BadArguments(where + "unknown host '" + host + "'");
        }
        return new InetSocketAddress(address, number);
    }

    /** "strategy=foo: expected ..." from the option parser reads "--strategy foo: expected ..." here. */
    private static String asFlags(String message, List<Map.Entry<String, String>> given) {
        for (Map.Entry<String, String> pair : given) {
            String agentForm = pair.getKey() + "=" + pair.getValue() + ":";
            if (message.startsWith(agentForm)) {
                return "--" + pair.getKey() + " " + pair.getValue() + ":" + message.substring(agentForm.length());
            }
        }
        return message;
    }

    private static Option option(String key) {
        for (Option option : Option.values()) {
            if (option.key().equals(key)) {
                return option;
            }
        }
        return null;
    }

    private static String accepts(String name) {
        return switch (name) {
            case "listen" -> "PORT or HOST:PORT";
            case "backend" -> "HOST:PORT";
            default -> {
                Option option = option(name);
                yield option == null ? "a value" : option.accepts();
            }
        };
    }

    /** The options the standalone balancer takes, in the agent's table order. */
    static List<Option> standaloneOptions() {
        List<Option> accepted = new ArrayList<>();
        for (Option option : Option.values()) {
            if (!AGENT_ONLY.containsKey(option.key())) {
                accepted.add(option);
            }
        }
        return accepted;
    }

    private static String knownOptions() {
        StringBuilder known = new StringBuilder("--listen, --backend");
        for (Option option : standaloneOptions()) {
            known.append(", --").append(option.key());
        }
        return known.toString();
    }

    static void usage(PrintStream out) {
        out.println("jcluster balance: the jcluster balancer on its own, in front of servers you name (no workers).");
        out.println();
        out.println("usage: java -jar jcluster.jar balance --listen [HOST:]PORT --backend HOST:PORT [--backend HOST:PORT"
                + " ...] [--option value ...]");
        out.println("  e.g. java -jar jcluster.jar balance --listen 9000 --backend 127.0.0.1:8081 --backend"
                + " 127.0.0.1:8082 --mode http --strategy round-robin");
        out.println();
        out.printf("  %-17s %s%n", "--listen", "Where clients connect: PORT (all interfaces) or HOST:PORT; repeatable,"
                + " each listener balances over every backend.");
        out.printf("  %-17s %s%n", "--backend", "A server to balance over, HOST:PORT; repeatable. A backend that"
                + " refuses connections leaves rotation");
        out.printf("  %-17s %s%n", "", "and is probed with a tcp connect every --health-interval (here 1s unless"
                + " given) until it is back.");
        for (Option option : standaloneOptions()) {
            out.printf("  %-17s %s%n", "--" + option.key(), option.description());
            String defaultValue = option == Option.HEALTH_INTERVAL ? "1s" : option.defaultValue();
            out.printf("  %-17s values: %s; default: %s%n", "", option.accepts(), defaultValue);
        }
        out.println();
        out.println("Agent options that concern workers (" + String.join(", ", AGENT_ONLY.keySet().stream().sorted()
                .toList()) + ") are refused here.");
        out.println("--admin [HOST:]PORT: GET /status, /metrics, /ready; drain, put back, add or remove a backend at run"
                + " time:");
        out.println("  java -jar jcluster.jar backend drain|ready|add|remove HOST:PORT --admin HOST:PORT [--token T]");
        out.println("SIGTERM/SIGINT: stop accepting, let open connections finish (up to --shutdown-timeout), exit 0.");
        out.println("Exit status: 0 stopped by a signal, 1 cannot listen, 2 bad command line.");
    }
}
