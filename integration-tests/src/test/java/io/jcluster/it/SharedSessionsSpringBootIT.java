package io.jcluster.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jcluster.it.ClusterProcess.STARTUP;

/**
 * Acceptance 1 of sessions=shared on a Spring Boot executable jar ({@code java -jar app.jar}, its own launcher and
 * embedded Tomcat): an unmodified {@code @RestController} that counts in its {@code HttpSession} keeps counting over
 * both workers, kill -9, a rolling reload and scale 4. One JDK: nothing here differs per JDK.
 */
class SharedSessionsSpringBootIT {

    private static final Duration FIRST_START = Duration.ofSeconds(90);

    @Test
    void aControllersSessionCountsOnAcrossWorkersCrashesReloadsAndScaling() throws Exception {
        int port = FreePorts.tcp();
        int admin = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17())
                .agentArgs("processes=2,mode=http,strategy=round-robin,sessions=shared,admin=127.0.0.1:" + admin)
                .launch("-jar", Stack.SPRING_BOOT.jar().toString(), "--server.port=" + port,
                        "--server.address=127.0.0.1").start()) {
            // the first start of two Spring Boot workers at once: seen taking 30 s and more on a busy 2-core machine
            cluster.awaitListening("127.0.0.1:" + port, FIRST_START);
            cluster.awaitWorkers(2, STARTUP);
            for (int id = 0; id < 2; id++) {
                cluster.awaitLine("^\\[w" + id + "\\] .*" + String.format(Stack.SPRING_BOOT.portLine, port), FIRST_START);
            }
            new Admin(admin, null).awaitAllReady(2, STARTUP);
            new SessionCounter(port, "/session-count").assertSurvivesEverything(cluster, admin);
        }
    }
}
