package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.LogMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker inherits the parent's environment, except for the secrets only the parent uses and systemd's socket. */
class ForkingLauncherTest {

    @Test
    void theStorePasswordAndTheAdminTokenReachNoWorker(@TempDir Path dir) throws Exception {
        Path environ = dir.resolve("environ");
        // a "worker" that writes down the environment it got
        WorkerCommand command = new WorkerCommand(List.of("/bin/sh", "-c", "env > '" + environ + "'"), dir);
        Map<String, String> parent = new HashMap<>(System.getenv());
        parent.put("JCLUSTER_STORE_PASSWORD", "store-secret-4711");
        parent.put("JCLUSTER_ADMIN_TOKEN", "admin-secret-4712");
        parent.put("APP_SETTING", "kept");
        parent.put("NOTIFY_SOCKET", "@systemd-notify-4713");
        parent.put("WATCHDOG_USEC", "4714");
        parent.put("WATCHDOG_PID", "4715");
        Process worker = new ForkingLauncher(command, dir.resolve("control"), "s", LogMode.INHERIT, parent)
                .launch(0, 1);
        try {
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the shell exits");
        } finally {
            worker.destroyForcibly();
        }
        String seen = Files.readString(environ);
        assertTrue(seen.contains("JCLUSTER_WORKER_ID=0"), seen);
        assertTrue(seen.contains("APP_SETTING=kept"), "the rest of the environment is inherited: " + seen);
        assertFalse(seen.contains("JCLUSTER_STORE_PASSWORD") || seen.contains("store-secret-4711"), seen);
        assertFalse(seen.contains("JCLUSTER_ADMIN_TOKEN") || seen.contains("admin-secret-4712"), seen);
        // systemd's socket and watchdog are the parent's: an app that speaks sd_notify must not report for it
        assertFalse(seen.contains("NOTIFY_SOCKET") || seen.contains("4713"), seen);
        assertFalse(seen.contains("WATCHDOG_USEC") || seen.contains("WATCHDOG_PID"), seen);
    }
}
