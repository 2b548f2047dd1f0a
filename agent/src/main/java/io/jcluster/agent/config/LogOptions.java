package io.jcluster.agent.config;

/**
 * How the parent writes its own lines and the workers' relayed lines, and the http access log.
 *
 * @param time      {@code log-time=}: whether parent lines start with a timestamp; AUTO = when stderr is not a
 *                  terminal (settled by the parent at start, which can look at its stderr)
 * @param format    {@code log-format=}: TEXT = {@code [jcluster] ...} and {@code [w1] ...} lines; JSON = one object
 *                  per line for parent and relayed worker lines, and for the access log
 * @param accessLog {@code access-log=}: null when off, {@link #STDOUT}, or a file path
 */
public record LogOptions(Time time, Format format, String accessLog) {

    /** {@code log-time=}. */
    public enum Time { AUTO, ISO8601, OFF }

    /** {@code log-format=}. */
    public enum Format { TEXT, JSON }

    /** access-log=stdout: the access log goes to the parent's stdout, with the workers' relayed output. */
    public static final String STDOUT = "stdout";

    /** The defaults: time when stderr is not a terminal, text lines, no access log. */
    public static final LogOptions DEFAULT = new LogOptions(Time.AUTO, Format.TEXT, null);

    public boolean json() {
        return format == Format.JSON;
    }
}
