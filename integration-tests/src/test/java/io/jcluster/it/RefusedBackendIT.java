package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker that stays alive but closes its server socket refuses connections: the balancer retries each one on
 * another worker before the client sees anything, and takes the refusing one out of rotation.
 */
@Timeout(180)
class RefusedBackendIT {

    /**
     * On {@link Jdk#both()}: a refused connect is reported by the transport (epoll, NIO), so each; the third repeats
     * epoll.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void refusedConnectionsAreRetriedOnAnotherWorker(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,strategy=round-robin")
                .mainClass("samples.probe.ProbeServer")
                .args("--http", Integer.toString(port))
                .start()) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            assertEquals(Set.copyOf(workers.values()), cluster.awaitAnswering(port, 2, STARTUP), cluster.describe());

            Http.Response unbound = Http.fresh(port, "/unbind");
            assertEquals(200, unbound.status(), unbound.toString());
            long refusing = unbound.pid();
            ClusterProcess.sleep(1_000); // HttpServer.stop(0) closes the listening socket at once

            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                try {
                    Http.Response response = Http.fresh(port, "/");
                    if (response.status() != 200 || response.pid() == refusing) {
                        failures.add("request " + i + ": " + response);
                    }
                } catch (IOException e) {
                    failures.add("request " + i + ": " + e);
                }
            }
            assertTrue(failures.isEmpty(), "with one worker refusing, requests failed: " + failures + "\n"
                    + cluster.describe());
            cluster.awaitLine("^\\[jcluster\\] 0\\.0\\.0\\.0:" + port + ": worker \\d+ refused a connection on .*;"
                    + " taken out of rotation", Duration.ofSeconds(5));
            assertTrue(ClusterProcess.isRunning(ProcessHandle.of(refusing).orElseThrow()),
                    "the refusing worker itself stays alive: only its backend left the rotation");
        }
    }
}
