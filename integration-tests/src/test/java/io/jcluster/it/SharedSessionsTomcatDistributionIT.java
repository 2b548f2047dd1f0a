package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Acceptance 1 of sessions=shared on the stock Apache Tomcat distribution, started as its users start it ({@code
 * catalina.sh run}, the agent in CATALINA_OPTS): an unmodified JSP session counter keeps counting over both workers,
 * kill -9, a rolling reload and scale 4. One JDK: nothing here differs per JDK.
 */
class SharedSessionsTomcatDistributionIT {

    @Test
    void aJspSessionCountsOnAcrossWorkersCrashesReloadsAndScaling(@TempDir Path directory) throws Exception {
        int port = FreePorts.tcp();
        int admin = FreePorts.tcp();
        TomcatDistribution tomcat = TomcatDistribution.base(directory, port).deployResource("counter");
        try (ClusterProcess cluster = tomcat.catalinaRun(Jdk.jdk17(),
                "processes=2,mode=http,strategy=round-robin,sessions=shared,admin=127.0.0.1:" + admin).start()) {
            // the catalina JVM is the parent: it takes Tomcat's port and forks the workers that run Tomcat
            cluster.awaitListening("127.0.0.1:" + port, STARTUP);
            cluster.awaitWorkers(2, STARTUP);
            for (int id = 0; id < 2; id++) {
                cluster.awaitLine("^\\[w" + id + "\\] .*" + TomcatDistribution.STARTED, STARTUP);
            }
            // server.xml's shutdown port: each worker binds its own, never clustered (docs/compatibility.md)
            cluster.awaitLine("^\\[w0\\] \\[jcluster\\] worker 0: Tomcat's shutdown port " + tomcat.shutdownPort()
                    + " is private", STARTUP);
            new Admin(admin, null).awaitAllReady(2, STARTUP);
            new SessionCounter(port, "/counter/counter.jsp").assertSurvivesEverything(cluster, admin);
            List<String> parentsOwn = cluster.output().stream()
                    .filter(line -> line.contains("org.apache.catalina.") && !line.matches("^\\[w\\d+\\] .*")).toList();
            assertEquals(List.of(), parentsOwn, "the parent never runs Tomcat: only workers log Tomcat's lines");
        }
    }
}
