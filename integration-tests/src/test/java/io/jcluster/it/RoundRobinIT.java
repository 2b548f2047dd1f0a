package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** strategy=round-robin spreads fresh connections evenly: 40 requests over 4 workers = 10 each. */
@Timeout(180)
class RoundRobinIT {

    /** One JDK: the strategy is the parent's, the same on every JDK and transport. */
    @Test
    void fortyFreshConnectionsGoTenToEachOfFourWorkers() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=4,strategy=round-robin")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.endsWith(" -> 4 workers (round-robin, tcp, " + jdk.expectedTransport() + ")"),
                    "listening line names workers, strategy, mode and transport: " + listening);
            Map<Integer, Long> workers = cluster.awaitWorkers(4, STARTUP);
            Set<Long> answered = cluster.awaitAnswering(port, 4, STARTUP);
            assertEquals(Set.copyOf(workers.values()), answered,
                    "the pids that answer are exactly the started workers\n" + cluster.describe());
            assertTrue(!answered.contains(cluster.pid()), "the parent never serves the app");

            Map<Long, Integer> perPid = new TreeMap<>();
            for (int i = 0; i < 40; i++) {
                Http.Response response = Http.fresh(port, "/");
                assertEquals(200, response.status(), "request " + i + ": " + response);
                assertTrue(response.body().startsWith("hello from worker "), response.body());
                perPid.merge(response.pid(), 1, Integer::sum);
            }
            assertEquals(new HashSet<>(workers.values()), perPid.keySet(), "40 requests reach all 4 workers: " + perPid);
            perPid.forEach((pid, count) -> assertEquals(10, count, "requests per pid " + perPid + "\n" + cluster.describe()));
        }
    }
}
