package io.jcluster.agent.config;

/**
 * Every agent option, with what it accepts and its default: the one table that the usage text and README's
 * option list mirror. Values are parsed and checked by {@link OptionParser}.
 */
public enum Option {
    PROCESSES("processes", "a positive integer or 'auto'", "auto",
            "How many worker JVMs to run. auto = the processors this JVM may use (container limits included); each worker gets its share of processors and memory unless you chose."),
    STRATEGY("strategy", "round-robin, least-connections or random", "least-connections",
            "How a new connection picks its worker (see Strategy)."),
    PORT("port", "a port number from 1 to 65535 (repeat the key for several)", "every fixed port the app binds",
            "Which of the app's ports to cluster; binds of other ports stay as they are in every worker."),
    SHUTDOWN_TIMEOUT("shutdown-timeout", "a duration like 30s or 500ms", "30s",
            "On SIGTERM/SIGINT: how long open connections may take to finish, and the workers to exit, in all."),
    LOG("log", "prefix or inherit", "prefix",
            "prefix: the parent relays each worker output line as '[w<id>] line'; inherit: workers write directly."),
    RESTART_DELAY("restart-delay", "a duration like 1s or 500ms", "1s",
            "Delay before restarting a crashed worker; doubles on each crash in a row, up to 30s."),
    MAX_RESTARTS("max-restarts", "a non-negative integer", "10",
            "Restarts of one worker slot allowed within 60s; past that the slot is given up and the parent says so."),
    CONFIG("config", "the path of a properties file with the same keys", "none",
            "Read options from a file; options given in the agent argument win over the file.");

    private final String key;
    private final String accepts;
    private final String defaultValue;
    private final String description;

    Option(String key, String accepts, String defaultValue, String description) {
        this.key = key;
        this.accepts = accepts;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String accepts() {
        return accepts;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    static Option byKey(String key) {
        for (Option option : values()) {
            if (option.key.equals(key)) {
                return option;
            }
        }
        return null;
    }

    static String knownKeys() {
        StringBuilder keys = new StringBuilder();
        for (Option option : values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(option.key);
        }
        return keys.toString();
    }
}
