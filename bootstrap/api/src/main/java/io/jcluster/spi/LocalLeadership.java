package io.jcluster.spi;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Leadership in one process, which is always the leader: {@code gained} runs at once, but on the thread
 * "jcluster-leadership" as in a worker (never on the caller's), so an app sees the same threading with and without
 * the agent. {@code lost} never runs: the process is the leader until it exits. A callback that throws is reported
 * on stderr. Callbacks run one at a time, in the order they were registered.
 */
final class LocalLeadership {

    private final PrintStream log;
    /** Unbounded, but fed only by {@code onLeadership} calls: one task per registration. */
    private final LinkedBlockingQueue<Registration> gained = new LinkedBlockingQueue<>();
    private volatile boolean stopped;
    /** Guarded by {@code this}. */
    private Thread thread;

    LocalLeadership(PrintStream log) {
        this.log = log;
    }

    AutoCloseable onLeadership(Runnable gained, Runnable lost) {
        Objects.requireNonNull(gained, "gained (pass () -> {} for nothing)");
        Objects.requireNonNull(lost, "lost (pass () -> {} for nothing)");
        Registration registration = new Registration(gained);
        synchronized (this) {
            if (thread == null) {
                thread = new Thread(this::runForever, "jcluster-leadership");
                thread.setDaemon(true);
                thread.start();
            }
        }
        this.gained.add(registration);
        return registration;
    }

    /** Ends the thread: for tests, which create many; the process's lives as long as it does. */
    synchronized void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void runForever() {
        while (true) {
            Registration registration;
            try {
                registration = gained.take();
            } catch (InterruptedException e) {
                // only stop() ends the thread: a handler that interrupted itself must not end delivery for all
                if (stopped) {
                    return;
                }
                continue;
            }
            if (registration.closed) {
                continue;
            }
            try {
                registration.gained.run();
            } catch (Throwable t) {
                log.println("[jcluster] leadership callback (gained) threw " + t);
                t.printStackTrace(log);
            }
        }
    }

    private static final class Registration implements AutoCloseable {

        final Runnable gained;
        volatile boolean closed;

        Registration(Runnable gained) {
            this.gained = gained;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
