package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * transport= runs the balancer on the socket implementation asked for. Naming io_uring or epoll and getting it
 * proves the shaded jar's relocated native libraries load; one that cannot run here stops the launch with one line.
 */
@Timeout(180)
class TransportIT {

    static Stream<Arguments> transports() {
        return Jdk.all().flatMap(jdk -> Stream.of("io_uring", "epoll", "nio").map(name -> Arguments.of(jdk, name)));
    }

    @ParameterizedTest(name = "{0} transport={1}")
    @MethodSource("transports")
    void theNamedTransportCarriesTheTraffic(Jdk jdk, String transport) throws Exception {
        boolean runnable = transport.equals("nio")
                || jdk.nativeAccess() && (!transport.equals("io_uring") || Jdk.IO_URING_ENABLED);
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2,transport=" + transport)) {
            if (!runnable) {
                assertEquals(2, cluster.awaitExit(Duration.ofSeconds(15)), cluster.describe());
                List<String> errors = cluster.stderr().stream().filter(line -> !line.isBlank()).toList();
                assertEquals(1, errors.size(), "one line: " + errors);
                assertTrue(errors.get(0).startsWith("jcluster: transport=" + transport + ": ")
                        || errors.get(0).startsWith("jcluster: transport=" + transport + " is not available here ("),
                        errors.get(0));
                assertTrue(errors.get(0).contains(jdk.nativeAccess() ? "transport=auto" : "--enable-native-access"),
                        "the line says what to do: " + errors.get(0));
                assertTrue(cluster.workerPids().isEmpty(), "no worker started: " + cluster.workerPids());
                return;
            }
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.endsWith(", tcp, " + transport + ")"), "the startup line names " + transport + ": " + listening);
            Set<Long> answered = cluster.awaitAnswering(port, 2, STARTUP);
            assertEquals(Set.copyOf(cluster.awaitWorkers(2, STARTUP).values()), answered, cluster.describe());
            for (int i = 0; i < 20; i++) {
                Http.Response response = Http.fresh(port, "/");
                assertEquals(200, response.status(), "request " + i + " over " + transport + ": " + response);
            }
        }
    }

    /** auto picks the fastest transport this JDK and kernel allow, and a passed-over one is explained. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void autoPicksTheFastestAvailable(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=1")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.endsWith(", tcp, " + jdk.expectedTransport() + ")"), listening);
            if (!jdk.expectedTransport().equals("io_uring")) {
                assertTrue(cluster.output().stream().anyMatch(line -> line.startsWith("[jcluster] using ")),
                        "a line says why io_uring is not used\n" + cluster.describe());
            }
        }
    }
}
