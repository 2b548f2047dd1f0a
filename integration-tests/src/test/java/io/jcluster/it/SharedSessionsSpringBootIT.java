package io.jcluster.it;

import org.junit.jupiter.api.Test;

import static io.jcluster.it.ClusterProcess.STARTUP;

/**
 * Acceptance 1 of sessions=shared on a Spring Boot executable jar ({@code java -jar app.jar}, its own launcher and
 * embedded Tomcat): an unmodified {@code @RestController} that counts in its {@code HttpSession} keeps counting over
 * both workers, kill -9, a rolling reload and scale 4. One JDK: nothing here differs per JDK.
 */
class SharedSessionsSpringBootIT {

    @Test
    void aControllersSessionCountsOnAcrossWorkersCrashesReloadsAndScaling() throws Exception {
        int port = FreePorts.tcp();
        int admin = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17())
                .agentArgs("processes=2,mode=http,strategy=round-robin,sessions=shared,admin=127.0.0.1:" + admin)
                .launch("-jar", Stack.SPRING_BOOT.jar().toString(), "--server.port=" + port,
                        "--server.address=127.0.0.1").start()) {
            cluster.awaitListening("127.0.0.1:" + port, STARTUP);
            cluster.awaitWorkers(2, STARTUP);
            for (int id = 0; id < 2; id++) {
                cluster.awaitLine("^\\[w" + id + "\\] .*" + String.format(Stack.SPRING_BOOT.portLine, port), STARTUP);
            }
            new Admin(admin, null).awaitAllReady(2, STARTUP);
            new SessionCounter(port, "/session-count").assertSurvivesEverything(cluster, admin);
        }
    }
}
