package io.jcluster.sessions.tomcat;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Store failures come in floods (the store is down for every request at once): the first line goes out, then at
 * most one every {@value #QUIET_SECONDS} seconds, saying how many it kept back.
 */
final class RateLimitedLog {

    static final long QUIET_SECONDS = 10;

    private final Consumer<String> out;
    private final LongSupplier nanoClock;
    private long lastNanos;
    private boolean said;
    private long held;

    RateLimitedLog(Consumer<String> out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
    }

    void log(String line) {
        String say;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (said && now - lastNanos < QUIET_SECONDS * 1_000_000_000L) {
                held++;
                return;
            }
            say = held == 0 ? line : line + " (and " + held + " more such lines in the last " + QUIET_SECONDS + "s)";
            said = true;
            lastNanos = now;
            held = 0;
        }
        out.accept(say);
    }
}
