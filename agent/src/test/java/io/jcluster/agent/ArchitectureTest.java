package io.jcluster.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The walls between the agent's rooms, each package one concern. Why they stand: a worker runs inside the app's JVM,
 * so it loads as little of jcluster as it can and never Netty (the app may bring its own); the control protocol is
 * shared by both ends, so it is plain JDK code; the balancer moves bytes between clients and backends and knows
 * neither processes nor HTTP (http mode is one frontend it is given); the supervisor manages processes and never
 * touches bytes; options are parsed before anything else exists, so they depend on nothing of the agent; the admin
 * endpoint and the standalone balancer are entry points that only the wiring above them knows.
 */
class ArchitectureTest {

    private static JavaClasses agent;

    @BeforeAll
    static void importClasses() {
        agent = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jcluster");
    }

    @Test
    void workersNeverTouchNetty() {
        noClasses().that().resideInAPackage("io.jcluster.agent.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.jcluster.agent.balancer..",
                        "io.jcluster.agent.supervisor..")
                .because("a worker loads as little agent code as possible, and no Netty at all (the app may bring its own)")
                .check(agent);
    }

    @Test
    void theControlProtocolIsPlainJdk() {
        noClasses().that().resideInAPackage("io.jcluster.agent.control..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.jcluster.agent.balancer..",
                        "io.jcluster.agent.supervisor..", "io.jcluster.agent.worker..")
                .because("both ends use it, and the worker end must stay light")
                .check(agent);
    }

    @Test
    void theBalancerKnowsBackendsNotProcesses() {
        noClasses().that().resideInAPackage("io.jcluster.agent.balancer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.supervisor..",
                        "io.jcluster.agent.worker..", "io.jcluster.agent.control..")
                .check(agent);
    }

    @Test
    void httpModeKnowsBackendsNotProcesses() {
        noClasses().that().resideInAPackage("io.jcluster.agent.http..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.supervisor..",
                        "io.jcluster.agent.worker..", "io.jcluster.agent.control..")
                .check(agent);
    }

    @Test
    void theBalancerDoesNotKnowHttp() {
        noClasses().that().resideInAPackage("io.jcluster.agent.balancer..")
                .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.http..")
                .because("http mode is one frontend the balancer is given; tcp is the other")
                .check(agent);
    }

    @Test
    void theSupervisorKnowsProcessesNotBytes() {
        noClasses().that().resideInAPackage("io.jcluster.agent.supervisor..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.jcluster.agent.balancer..")
                .check(agent);
    }

    @Test
    void onlyTheParentWiringUsesTheAdminEndpoint() {
        noClasses().that().resideInAnyPackage("io.jcluster.agent.balancer..", "io.jcluster.agent.supervisor..",
                        "io.jcluster.agent.control..", "io.jcluster.agent.worker..", "io.jcluster.agent.config..")
                .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.admin..")
                .because("the admin endpoint looks at the cluster through ClusterOperations; nothing below it knows it")
                .check(agent);
    }

    @Test
    void optionsDependOnNothingOfTheAgent() {
        noClasses().that().resideInAPackage("io.jcluster.agent.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "net.bytebuddy..",
                        "io.jcluster.agent.balancer..", "io.jcluster.agent.supervisor..", "io.jcluster.agent.worker..",
                        "io.jcluster.agent.control..")
                .check(agent);
    }

    @Test
    void theStandaloneBalancerRunsNoWorkers() {
        noClasses().that().resideInAPackage("io.jcluster.agent.standalone..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.worker..",
                        "io.jcluster.agent.control..", "io.jcluster.agent.admin..")
                .because("java -jar jcluster.jar balance is the balancer alone, in front of backends it is given")
                .check(agent);
        noClasses().that().resideInAnyPackage("io.jcluster.agent.balancer..", "io.jcluster.agent.http..",
                        "io.jcluster.agent.config..", "io.jcluster.agent.supervisor..")
                .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.standalone..")
                .check(agent);
    }
}
