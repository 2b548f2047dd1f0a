package io.jcluster.agent.log;

import io.jcluster.agent.config.LogOptions;

import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The parent's own log: one line each, prefixed {@code [jcluster]}, on stderr (stdout carries the app's output);
 * with log-time=iso8601 its UTC time comes first, with log-format=json each line is a JSON object instead.
 */
public final class Log {

    private static final PrintStream OUT = System.err;
    private static final long PID = ProcessHandle.current().pid();

    /**
     * How lines look: text without a time until the options are known (the lines before that are about bad options).
     * A holder because premain, which reads the options, has no instance to hand it to.
     */
    private static final AtomicReference<LogLine> LINES = new AtomicReference<>(new LogLine(false, false));

    private Log() {
    }

    /**
     * Settles how lines look, once at start before the first line that is not about the options.
     *
     * @param time log-time: null for auto (a time when stderr is not a terminal)
     */
    public static void configure(Boolean time, boolean json) {
        LINES.set(new LogLine(time == null ? !Terminal.stderrIsTerminal() : time, json));
    }

    /** Settles how lines look from the options (log-time=, log-format=). */
    public static void configure(LogOptions options) {
        configure(switch (options.time()) {
            case AUTO -> null;
            case ISO8601 -> Boolean.TRUE;
            case OFF -> Boolean.FALSE;
        }, options.json());
    }

    /** Whether lines are JSON objects (log-format=json): the workers' relayed lines are then too. */
    public static boolean json() {
        return LINES.get().json();
    }

    public static void info(String message) {
        LogLine format = LINES.get();
        String line = format.parent(Instant.now(), PID, message);
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }

    /** Several lines at once, never interleaved with other log lines (a thread dump, for one). */
    public static void infoLines(java.util.List<String> messages) {
        LogLine format = LINES.get();
        Instant now = Instant.now();
        synchronized (OUT) {
            for (String message : messages) {
                OUT.println(format.parent(now, PID, message));
            }
            OUT.flush();
        }
    }

    public static void error(String message, Throwable cause) {
        info(message + (cause == null ? "" : ": " + describe(cause)));
    }

    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** Logs at most once per interval; for conditions that can repeat per connection. */
    public static final class RateLimited {
        private final long intervalNanos;
        private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

        public RateLimited(long interval, TimeUnit unit) {
            this.intervalNanos = unit.toNanos(interval);
        }

        public void info(String message) {
            long now = System.nanoTime();
            long due = next.get();
            if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + intervalNanos)) {
                Log.info(message);
            }
        }
    }
}
