package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where option strings come from: the agent argument ({@code k=v,k=v}), the standalone balancer's
 * {@code --key value} pairs and the {@code config=FILE} properties file. Each becomes the values given per option, in
 * order; a repeated key accumulates. Nothing here says whether a value is good: {@link OptionParser} does.
 */
final class OptionSources {

    /** Options whose value is a list: a repeated key accumulates, and so do comma-separated values. */
    private static final Set<Option> LISTS = EnumSet.of(Option.PORT, Option.TRUSTED_PROXIES);

    private OptionSources() {
    }

    static Map<Option, List<String>> split(String agentArgument) throws OptionException {
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
            if (previous == Option.STORE) {
                // store=redis://u:pa,ss@host split at the password's comma: refuse without repeating the rest
                StoreLocation.checkNoCredentials(trimmed);
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

    static Map<Option, List<String>> pairs(List<Map.Entry<String, String>> pairs) throws OptionException {
        Map<Option, List<String>> given = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            add(given, pair.getKey(), pair.getValue());
        }
        return given;
    }

    /** Fills in, from the file that {@code config=} names, the options not given otherwise; removes config itself. */
    static void addConfigFile(Map<Option, List<String>> given, Machine machine) throws OptionException {
        List<String> config = given.remove(Option.CONFIG);
        if (config != null) {
            if (config.size() > 1) {
                throw new OptionException("config=" + config.get(1) + ": config may be given only once");
            }
            Map<Option, List<String>> fromFile = readFile(config.get(0), machine);
            fromFile.forEach(given::putIfAbsent);
        }
    }

    private static void add(Map<Option, List<String>> given, String key, String value) throws OptionException {
        Option option = Option.byKey(key);
        if (option == null) {
            throw new OptionException(key + "=" + value + ": unknown option (known: " + Option.knownKeys() + ")");
        }
        given.computeIfAbsent(option, o -> new ArrayList<>()).add(value);
    }

    private static Map<Option, List<String>> readFile(String file, Machine machine) throws OptionException {
        Properties properties = new Properties();
        try (Reader reader = machine.open(Path.of(file))) {
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
}
