package io.jcluster.agent.service;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * systemd's notification protocol (sd_notify(3)), spoken to the socket of {@code NOTIFY_SOCKET} when systemd runs the
 * parent as a {@code Type=notify} (or {@code notify-reload}) service: newline-separated {@code KEY=VALUE} assignments,
 * one datagram per state change. {@code READY=1} once the cluster serves, {@code RELOADING=1} (with
 * {@code MONOTONIC_USEC}, which {@code Type=notify-reload} requires) and then {@code READY=1} around a rolling reload,
 * {@code STOPPING=1} when the stop begins, {@code STATUS=} a line {@code systemctl status} shows, and
 * {@code WATCHDOG=1} every half of {@code WATCHDOG_USEC} when systemd set a watchdog for this process.
 *
 * <p>Datagrams are sent by one daemon thread of its own, in the order asked: a caller (the supervisor, under its
 * lock) never waits for a socket. A datagram that cannot be sent is logged (rate-limited) and dropped: systemd keeps
 * the last state it got, and the next change or watchdog tick sends again.
 */
final class SystemdNotifier implements AutoCloseable {

    static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    static final String WATCHDOG_PID = "WATCHDOG_PID";

    /** systemd reads a notification into a buffer of PIPE_BUF (4096) bytes; a STATUS line stays well below. */
    private static final int MAX_STATUS = 1000;

    private static final Log.RateLimited SEND_FAILED = new Log.RateLimited(60, TimeUnit.SECONDS);

    private final Datagrams socket;
    private final ScheduledThreadPoolExecutor sender;
    private final AtomicBoolean closed = new AtomicBoolean();

    SystemdNotifier(Datagrams socket, Duration watchdogInterval) {
        this.socket = socket;
        this.sender = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "jcluster-systemd");
            thread.setDaemon(true);
            return thread;
        });
        sender.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        if (watchdogInterval != null) {
            long micros = watchdogInterval.toNanos() / 1000;
            sender.scheduleAtFixedRate(() -> send("WATCHDOG=1"), 0, micros, TimeUnit.MICROSECONDS);
        }
    }

    /**
     * The notifier systemd asked for in {@code environment}, or null when it asked for none (no {@code NOTIFY_SOCKET})
     * or the socket cannot be used here (logged, with what to do).
     *
     * @param pid this process: the watchdog is meant for it only if {@code WATCHDOG_PID} is unset or names it
     */
    static SystemdNotifier fromEnvironment(Map<String, String> environment, long pid) {
        String value = environment.get(NOTIFY_SOCKET);
        if (value == null || value.isEmpty()) {
            return null;
        }
        Datagrams socket;
        try {
            socket = UnixDatagrams.open(NotifyAddress.parse(value));
        } catch (IllegalArgumentException | IOException | LinkageError e) {
            Log.info("cannot notify systemd at NOTIFY_SOCKET=" + value + ": " + Log.describe(e) + "; with Type=notify"
                    + " systemd will not see the service start: use Type=exec in the unit instead");
            return null;
        }
        Duration watchdog = watchdogInterval(environment, pid);
        Log.info("notifying systemd at " + value + (watchdog == null ? ""
                : "; watchdog ping every " + watchdog.toMillis() + "ms (WATCHDOG_USEC/2)")
                + (nativeAccessGranted() ? "" : " (through Netty's native library: the JDK's warning about"
                        + " System::loadLibrary comes from that; --enable-native-access=ALL-UNNAMED on the java"
                        + " command line silences it)"));
        return new SystemdNotifier(socket, watchdog);
    }

    /** JDK 24+ warns when a native library is loaded without the grant; earlier JDKs need none. */
    private static boolean nativeAccessGranted() {
        if (Runtime.version().feature() < 24) {
            return true;
        }
        try {
            return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(SystemdNotifier.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Half of {@code WATCHDOG_USEC} (sd_watchdog_enabled(3) recommends pinging at half the timeout), or null when no
     * watchdog is set for this process: unset, not a positive number, or {@code WATCHDOG_PID} naming another process.
     */
    static Duration watchdogInterval(Map<String, String> environment, long pid) {
        String usec = environment.get(WATCHDOG_USEC);
        if (usec == null) {
            return null;
        }
        String forPid = environment.get(WATCHDOG_PID);
        if (forPid != null && !forPid.equals(Long.toString(pid))) {
            return null;
        }
        long micros;
        try {
            micros = Long.parseLong(usec.trim());
        } catch (NumberFormatException e) {
            Log.info("WATCHDOG_USEC=" + usec + ": not a number of microseconds; no watchdog pings");
            return null;
        }
        if (micros <= 1) {
            return null;
        }
        return Duration.ofNanos(micros / 2 * 1000);
    }

    /** The cluster serves: startup is over, or a reload ended. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + line(status));
    }

    /**
     * A rolling reload begins. {@code MONOTONIC_USEC} is CLOCK_MONOTONIC in microseconds: HotSpot's
     * {@link System#nanoTime} on Linux reads that clock.
     */
    void reloading(String status) {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=" + line(status));
    }

    void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + line(status));
    }

    void status(String status) {
        send("STATUS=" + line(status));
    }

    /** One line: a newline would start another assignment. */
    static String line(String status) {
        String one = status.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= MAX_STATUS ? one : one.substring(0, MAX_STATUS);
    }

    private void send(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            sender.execute(() -> {
                try {
                    if (!socket.send(bytes)) {
                        SEND_FAILED.info("systemd's notification socket is full; dropped: " + firstLine(message));
                    }
                } catch (IOException | RuntimeException e) {
                    SEND_FAILED.info("cannot notify systemd (" + Log.describe(e) + "); dropped: " + firstLine(message));
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the parent is exiting, and systemd sees that by itself
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Sends what is queued (at most a second), stops the watchdog, closes the socket. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sender.shutdown();
        try {
            sender.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.shutdownNow();
        socket.close();
    }
}
