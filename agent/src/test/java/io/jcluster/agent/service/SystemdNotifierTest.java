package io.jcluster.agent.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sd_notify's protocol over a real unix datagram socket, abstract and in the file system. */
class SystemdNotifierTest {

    @Test
    void notifySocketNamesAPathOrAnAbstractSocket() {
        assertArrayEquals("/run/systemd/notify".getBytes(StandardCharsets.UTF_8),
                NotifyAddress.parse("/run/systemd/notify"));
        assertArrayEquals(new byte[] {0, 'a', 'b'}, NotifyAddress.parse("@ab"), "abstract: a NUL, then the name");
        assertEquals("NOTIFY_SOCKET=vsock:2:1234: not a unix socket path (/...) or an abstract socket name (@...);"
                + " jcluster sends systemd nothing", assertThrows(IllegalArgumentException.class,
                () -> NotifyAddress.parse("vsock:2:1234")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NotifyAddress.parse("@"));
        assertThrows(IllegalArgumentException.class, () -> NotifyAddress.parse("relative/notify"));
        assertThrows(IllegalArgumentException.class, () -> NotifyAddress.parse("/" + "x".repeat(107)),
                "sun_path has 108 bytes, the terminating NUL included");
        assertEquals(107, NotifyAddress.parse("/" + "x".repeat(106)).length);
    }

    @Test
    void noNotifySocketNoNotifier() {
        assertNull(SystemdNotifier.fromEnvironment(Map.of(), 1));
        assertNull(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", ""), 1));
        assertNull(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:1"), 1), "logged, not fatal");
    }

    @Test
    void theStatesArriveInOrderOnAnAbstractSocket() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractSocket()) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()), 1);
            assertNotNull(notifier);
            try {
                notifier.ready("1 of 2 worker(s) in rotation");
                notifier.reloading("reloading");
                notifier.status("two\nlines");
                notifier.stopping("SIGTERM received");
                assertEquals("READY=1\nSTATUS=1 of 2 worker(s) in rotation", systemd.nextState());
                String reloading = systemd.nextState();
                assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading"), reloading);
                assertEquals("STATUS=two lines", systemd.nextState(), "a newline would start another assignment");
                assertEquals("STOPPING=1\nSTATUS=SIGTERM received", systemd.nextState());
            } finally {
                notifier.close();
            }
        }
    }

    @Test
    void aPathSocketWorksToo(@TempDir Path directory) throws Exception {
        String path = directory.resolve("notify").toString();
        try (NotifyReceiver systemd = new NotifyReceiver(path)) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), 1);
            try {
                notifier.ready("up");
                assertEquals("READY=1\nSTATUS=up", systemd.nextState());
            } finally {
                notifier.close();
            }
        }
    }

    @Test
    void theWatchdogPingsAtHalfWatchdogUsecForThisProcessOnly() {
        assertEquals(Duration.ofMillis(1500), SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000"), 7));
        assertEquals(Duration.ofMillis(1500), SystemdNotifier.watchdogInterval(
                Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "7"), 7));
        assertNull(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "8"), 7),
                "the watchdog is meant for another process");
        assertNull(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 7));
        assertNull(SystemdNotifier.watchdogInterval(Map.of(), 7));
    }

    @Test
    void watchdogPingsArrive() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractSocket()) {
            // 200 ms: a ping every 100 ms; three pings must come well within the receiver's 10 s
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", systemd.address(), "WATCHDOG_USEC", "200000"), 1);
            try {
                for (int ping = 0; ping < 3; ping++) {
                    assertEquals("WATCHDOG=1", systemd.next(Duration.ofSeconds(10)));
                }
            } finally {
                notifier.close();
            }
        }
    }

    @Test
    void aSocketNobodyReadsDoesNotStopTheParent() {
        // no receiver bound: each send fails (ECONNREFUSED), is logged once a minute and dropped
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", "@jcluster-test-nobody-" + System.nanoTime()), 1);
        assertNotNull(notifier);
        notifier.ready("up");
        notifier.stopping("down");
        notifier.close();
    }
}
