package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app's port is taken by another server: the workers can bind (they bind a private port), but the parent
 * cannot. It must say so and stop with status 1, not loop restarting workers.
 */
@Timeout(120)
class BusyPortIT {

    /**
     * On {@link Jdk#both()}: the bind that fails is the parent's, through its transport (epoll, NIO); the third variant
     * repeats epoll.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#both")
    void aTakenPortStopsTheClusterWithAClearMessage(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("0.0.0.0", port));
            try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=2")) {
                String line = cluster.awaitLine(text -> text.startsWith("[jcluster] cannot listen on 0.0.0.0:" + port + " ("),
                        "the parent's bind failure", STARTUP);
                assertTrue(line.contains("is another server using that port?"), line);
                assertEquals(1, cluster.awaitExit(Duration.ofSeconds(30)), cluster.describe());
                assertTrue(cluster.output().stream().noneMatch(text -> text.contains("restarting in")),
                        "no worker was restarted over it\n" + cluster.describe());
                for (ProcessHandle worker : cluster.rememberedProcesses()) {
                    assertTrue(!ClusterProcess.isRunning(worker), "worker " + worker.pid() + " stopped with the parent");
                }
            }
        }
    }
}
