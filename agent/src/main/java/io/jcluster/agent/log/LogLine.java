package io.jcluster.agent.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * How one line looks: text ({@code [jcluster] message}, after an ISO 8601 UTC time with log-time=iso8601) or one
 * JSON object (log-format=json). Pure: the time is given, so that tests can check every shape.
 */
public final class LogLine {

    /** UTC with milliseconds, always 24 characters: lines sort as text and columns line up. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final boolean time;
    private final boolean json;

    public LogLine(boolean time, boolean json) {
        this.time = time;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    public static String iso(Instant at) {
        return ISO.format(at.truncatedTo(ChronoUnit.MILLIS));
    }

    /** A parent line: {@code [jcluster] message}, its time first with log-time; or a JSON object. */
    public String parent(Instant at, long pid, String message) {
        if (json) {
            return object(at, "parent", -1, pid, "stderr", message);
        }
        String line = "[jcluster] " + message;
        return time ? iso(at) + " " + line : line;
    }

    /**
     * A worker's relayed line as a JSON object (text lines are relayed as bytes by the relay itself).
     *
     * @param message the line without its line end
     */
    public static String worker(Instant at, int worker, long pid, String stream, String message) {
        return object(at, "worker", worker, pid, stream, message);
    }

    private static String object(Instant at, String source, int worker, long pid, String stream, String message) {
        StringBuilder out = new StringBuilder(96 + message.length());
        JsonText.field(out, "time", iso(at));
        JsonText.field(out, "source", source);
        if (worker >= 0) {
            JsonText.field(out, "worker", worker);
        }
        JsonText.field(out, "pid", pid);
        JsonText.field(out, "stream", stream);
        JsonText.field(out, "message", message);
        return out.append('}').toString();
    }
}
