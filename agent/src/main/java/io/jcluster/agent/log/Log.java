package io.jcluster.agent.log;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The parent's own log: one line each, prefixed {@code [jcluster]}, on stderr (stdout carries the app's output).
 */
public final class Log {

    private static final String PREFIX = "[jcluster] ";
    private static final PrintStream OUT = System.err;

    private Log() {
    }

    public static void info(String message) {
        synchronized (OUT) {
            OUT.println(PREFIX + message);
            OUT.flush();
        }
    }

    /** Several lines at once, never interleaved with other log lines (a thread dump, for one). */
    public static void infoLines(java.util.List<String> lines) {
        synchronized (OUT) {
            for (String line : lines) {
                OUT.println(PREFIX + line);
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
