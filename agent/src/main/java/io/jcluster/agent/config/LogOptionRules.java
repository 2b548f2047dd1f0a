package io.jcluster.agent.config;

import java.util.List;
import java.util.Map;

import static io.jcluster.agent.config.OptionValues.oneOf;
import static io.jcluster.agent.config.OptionValues.single;

/** The parent's log and access log. */
final class LogOptionRules {

    static final Map<String, LogMode> LOG_MODES = Map.of("prefix", LogMode.PREFIX, "inherit", LogMode.INHERIT);

    static final Map<String, LogOptions.Time> LOG_TIMES = Map.of(
            "iso8601", LogOptions.Time.ISO8601, "off", LogOptions.Time.OFF, "auto", LogOptions.Time.AUTO);

    static final Map<String, LogOptions.Format> LOG_FORMATS = Map.of(
            "text", LogOptions.Format.TEXT, "json", LogOptions.Format.JSON);

    private LogOptionRules() {
    }

    static LogOptions logs(Map<Option, List<String>> given, Options.Mode mode, LogMode relay)
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
}
