package io.jcluster.agent.service;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** docs/jcluster.service, the sample unit: what it says fits what the parent does. */
class SampleUnitFileTest {

    private static final Path UNIT = Path.of("../docs/jcluster.service");

    private static Map<String, String> service() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        String section = "";
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith("[")) {
                section = line;
            } else if (!line.isBlank() && !line.startsWith("#") && section.equals("[Service]")) {
                int equals = line.indexOf('=');
                keys.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return keys;
    }

    @Test
    void theUnitIsANotifyServiceWhoseTimeoutsFitItsOptions() throws Exception {
        Map<String, String> service = service();
        assertEquals("notify", service.get("Type"));
        assertEquals("main", service.get("NotifyAccess"));
        assertEquals("/bin/kill -HUP $MAINPID", service.get("ExecReload"));
        assertEquals("mixed", service.get("KillMode"), "SIGTERM to the parent only: it stops its workers itself");
        Matcher agent = Pattern.compile("-javaagent:\\S+?\\.jar=(\\S+)").matcher(service.get("ExecStart"));
        assertTrue(agent.find(), service.get("ExecStart"));
        Options options = OptionParser.parse(agent.group(1));
        Duration stopTimeout = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec").replace("s", "")));
        assertTrue(stopTimeout.compareTo(options.supervisor().shutdownTimeout().plusSeconds(5)) >= 0,
                "TimeoutStopSec leaves the workers time after shutdown-timeout " + options.supervisor().shutdownTimeout());
        Path pidFile = options.service().pidFile();
        assertTrue(pidFile.startsWith("/run/" + service.get("RuntimeDirectory")),
                "the pid file is in the service's own runtime directory: " + pidFile);
        assertEquals("2", service.get("RestartPreventExitStatus"), "a bad option (exit 2) is not restarted");
    }

    @Test
    void systemdAnalyzeAcceptsIt() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze) && Files.isExecutable(Path.of("/usr/bin/java")),
                "SKIPPED: no systemd-analyze (or no /usr/bin/java) on this machine");
        Process verify = new ProcessBuilder(analyze.toString(), "verify", UNIT.toAbsolutePath().normalize().toString())
                .redirectErrorStream(true).start();
        try {
            assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
            String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, verify.exitValue(), output);
            assertEquals("", output.strip(), "no warning about the unit");
        } finally {
            verify.destroyForcibly();
        }
    }
}
