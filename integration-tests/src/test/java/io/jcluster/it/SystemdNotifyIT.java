package io.jcluster.it;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test plays systemd for a {@code Type=notify} unit: it binds NOTIFY_SOCKET (an abstract unix datagram socket)
 * and sets WATCHDOG_USEC, starts a cluster, and reads what the parent says: READY=1 once the cluster serves,
 * WATCHDOG=1 at half WATCHDOG_USEC, RELOADING=1 then READY=1 around the reload SIGHUP starts (systemd's
 * {@code ExecReload=/bin/kill -HUP $MAINPID}), STOPPING=1 on SIGTERM. On the way: the pid file, GET /ready without a
 * token, and no worker inherits the socket. Temurin 25 as users run it (no --enable-native-access): the parent
 * reaches the socket through Netty's native library all the same.
 */
@Timeout(180)
class SystemdNotifyIT {

    private static final Duration WATCHDOG = Duration.ofMillis(400);

    @Test
    void aTestPlayingSystemdHearsReadyWatchdogReloadingAndStopping(@TempDir Path dir) throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        Path pidFile = dir.resolve("app.pid");
        try (Receiver systemd = new Receiver("@jcluster-it-" + UUID.randomUUID());
             ClusterProcess cluster = ClusterProcess.on(Jdk.temurin25())
                     .agentArgs("processes=2,admin=" + adminPort + ",admin-token=t0ken,pid-file=" + pidFile)
                     .mainClass("samples.hello.HelloServer").args(Integer.toString(port))
                     .env("NOTIFY_SOCKET", systemd.address)
                     .env("WATCHDOG_USEC", Long.toString(WATCHDOG.toNanos() / 1000))
                     .start()) {
            String ready = systemd.nextState(STARTUP);
            assertTrue(ready.startsWith("READY=1\nSTATUS="), ready + "\n" + cluster.describe());
            System.out.println("[it] systemd heard: " + ready.replace("\n", " | "));
            assertEquals(200, Http.fresh(port, "/").status(), "READY=1 means the cluster serves");
            assertEquals(cluster.pid() + "\n", Files.readString(pidFile));

            // the parent pings every 200 ms: in 3 s a slow machine still delivers far more than 3
            List<String> pings = systemd.collect(Duration.ofSeconds(3));
            assertTrue(pings.stream().filter("WATCHDOG=1"::equals).count() >= 3, pings.toString());

            Admin.Reply readiness = new Admin(adminPort, null).get("/ready");
            assertTrue(readiness.status() == 200 && readiness.body().startsWith("ready: "),
                    "GET /ready needs no token: " + readiness);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            for (long worker : workers.values()) {
                String environment = Files.readString(Path.of("/proc", Long.toString(worker), "environ"));
                assertFalse(environment.contains("NOTIFY_SOCKET") || environment.contains("WATCHDOG_USEC"),
                        "worker " + worker + " does not speak for the service");
            }

            Signals.send("HUP", cluster.pid());
            String reloading = systemd.nextState(STARTUP);
            assertTrue(reloading.startsWith("RELOADING=1\nMONOTONIC_USEC="), reloading);
            String afterReload;
            while (!(afterReload = systemd.nextState(Duration.ofSeconds(60))).startsWith("READY=1")) {
                assertTrue(afterReload.startsWith("STATUS="), afterReload);
            }
            assertTrue(afterReload.contains("last: reloaded 2 worker(s)"), afterReload + "\n" + cluster.describe());

            Signals.term(cluster.pid());
            String stopping;
            // the last old worker's exit may be told after the reload's READY=1
            while (!(stopping = systemd.nextState(STARTUP)).startsWith("STOPPING=1")) {
                assertTrue(stopping.startsWith("STATUS="), stopping);
            }
            assertTrue(stopping.startsWith("STOPPING=1\nSTATUS=stopping: SIGTERM received"), stopping);
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)), cluster.describe());
            assertFalse(Files.exists(pidFile), "the pid file is removed at exit");
        }
    }

    /** systemd's end of NOTIFY_SOCKET. */
    private static final class Receiver implements AutoCloseable {

        final String address;
        private final Socket socket;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(8192);

        Receiver(String address) throws IOException {
            Epoll.ensureAvailability();
            this.address = address;
            this.socket = Socket.newSocketDomainDgram();
            socket.bind(new DomainSocketAddress("\0" + address.substring(1)));
        }

        /** The next datagram within {@code timeout}, or null. */
        String next(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                buffer.clear();
                DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buffer, 0, buffer.capacity());
                if (from != null) {
                    byte[] bytes = new byte[from.receivedAmount()];
                    buffer.get(0, bytes);
                    return new String(bytes, StandardCharsets.UTF_8);
                }
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
                Thread.sleep(5);
            }
        }

        /** The next datagram that is not a watchdog ping. */
        String nextState(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                String message = next(Duration.ofMillis(100));
                if (message != null && !message.equals("WATCHDOG=1")) {
                    return message;
                }
            }
            throw new AssertionError("systemd heard nothing but watchdog pings for " + timeout);
        }

        /** Every datagram that comes within {@code window}. */
        List<String> collect(Duration window) throws IOException, InterruptedException {
            List<String> messages = new ArrayList<>();
            long deadline = System.nanoTime() + window.toNanos();
            while (System.nanoTime() - deadline < 0) {
                String message = next(Duration.ofMillis(50));
                if (message != null) {
                    messages.add(message);
                }
            }
            return messages;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
