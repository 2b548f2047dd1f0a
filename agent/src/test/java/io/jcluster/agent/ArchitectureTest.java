package io.jcluster.agent;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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
    void theWorkersClusterApiIsPlainJdk() {
        noClasses().that().resideInAPackage("io.jcluster.agent.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.github.benmanes.caffeine..",
                        "org.jctools..", "io.lettuce..", "reactor..", "org.reactivestreams..",
                        "io.jcluster.agent.cluster..")
                .because("the Cluster API's store and message fan-out live in the parent; a worker only sends frames"
                        + " over its control connection, and the app may bring its own copies of these libraries")
                .check(agent);
        noClasses().that().resideInAPackage("io.jcluster.agent.worker.cluster..")
                .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.worker")
                .because("the worker's wiring uses the Cluster API backend, not the other way round")
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

    static final ArchRule THE_BALANCER_KNOWS_NO_HTTP = noClasses()
            .that().resideInAPackage("io.jcluster.agent.balancer..")
            .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.http..")
            .because("http mode is one frontend the balancer is given; tcp is the other (the tcp relay asks a"
                    + " RequestStart the wiring gives it when it must know where a request begins)");

    @Test
    void theBalancerDoesNotKnowHttp() {
        THE_BALANCER_KNOWS_NO_HTTP.check(agent);
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
        // its admin endpoint (admin..) sees it through BalancerOperations, never through the cluster's
        noClasses().that().resideInAPackage("io.jcluster.agent.standalone..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.worker..",
                        "io.jcluster.agent.control..", "io.jcluster.agent.supervisor..")
                .orShould().dependOnClassesThat().belongToAnyOf(io.jcluster.agent.admin.ClusterOperations.class)
                .because("java -jar jcluster.jar balance is the balancer alone, in front of backends it is given")
                .check(agent);
        noClasses().that().resideInAnyPackage("io.jcluster.agent.balancer..", "io.jcluster.agent.http..",
                        "io.jcluster.agent.config..", "io.jcluster.agent.supervisor..")
                .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.standalone..")
                .check(agent);
    }

    /** Each package is one slice; a cycle would mean two rooms that cannot be read, tested or changed apart. */
    static final ArchRule NO_CYCLES = slices().matching("io.jcluster.agent.(**)").should().beFreeOfCycles()
            // the one factory that picks a store from the options names the implementations of its interfaces
            .ignoreDependency(JavaClass.Predicates.equivalentTo(io.jcluster.agent.cluster.Stores.class),
                    JavaClass.Predicates.resideInAnyPackage("io.jcluster.agent.cluster.embedded..",
                            "io.jcluster.agent.cluster.redis.."))
            .because("a cycle between two rooms makes them one room with two names");

    static final ArchRule ONLY_INSTRUMENTATION_TOUCHES_BYTE_BUDDY = noClasses()
            .that().resideOutsideOfPackage("io.jcluster.agent.instrument..")
            .and().haveNameNotMatching(".*Advice(\\$.*)?")
            .should().dependOnClassesThat().resideInAPackage("net.bytebuddy..")
            .because("every change the agent makes to the JVM's classes is registered in one place (instrument), and"
                    + " an *Advice class is code Byte Buddy copies into a JDK method; nothing else may change classes");

    static final ArchRule HTTP_WIRE_IS_PURE = classes().that().resideInAPackage("io.jcluster.agent.http.wire..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.netty.buffer..", "io.netty.util",
                    "io.jcluster.agent.http.wire..")
            .because("HTTP/1.1 framing is bytes in, facts out: no channels, no options, no logging, so that it can be"
                    + " tested and fuzzed alone and every caller frames a message the same way");

    static final ArchRule HTTP_CACHE_KNOWS_NO_EXCHANGE = classes().that()
            .resideInAPackage("io.jcluster.agent.http.cache..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.netty.buffer..", "io.netty.util",
                    "com.github.benmanes.caffeine..", "io.jcluster.agent.http.wire..", "io.jcluster.agent.http.cache..")
            .because("the response cache is rules over heads and a bounded store: it knows no exchange, no event loop"
                    + " and no worker, so that its RFC 9111 rules are pure functions tested alone and the proxy alone"
                    + " decides what runs where");

    static final ArchRule ONLY_THE_WIRING_KNOWS_THE_ROUTING_MODES = noClasses()
            .that().resideOutsideOfPackages("io.jcluster.agent.parent..", "io.jcluster.agent.standalone..",
                    "io.jcluster.agent.routing.proxy..", "io.jcluster.agent.routing.kernel..")
            .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.routing.proxy..",
                    "io.jcluster.agent.routing.kernel..")
            .because("a mode is chosen once, by the entry point's wiring; everything else talks to RoutingMode, so that"
                    + " no 'if (kernel)' grows anywhere else");

    static final ArchRule THE_MODES_DO_NOT_KNOW_EACH_OTHER = noClasses()
            .that().resideInAPackage("io.jcluster.agent.routing.kernel..")
            .should().dependOnClassesThat().resideInAPackage("io.jcluster.agent.routing.proxy..")
            .orShould().dependOnClassesThat().resideInAPackage("io.jcluster.agent.http..")
            .because("balancer=kernel has no proxy: nothing of the proxy mode or of http mode runs in it");

    static final ArchRule NO_MUTABLE_STATIC_STATE = fields().that().areDeclaredInClassesThat()
            .resideInAPackage("io.jcluster.agent..").and().areStatic()
            .should().beFinal()
            .because("state shared through a static field is hidden from the constructor, from tests and from the"
                    + " next reader; hand it over explicitly (a final holder where the JVM's entry points leave no"
                    + " other way)");

    static final ArchRule MAIN_ONLY_IN_ENTRY_PACKAGES = methods().that().haveName("main").and().areStatic()
            .should().beDeclaredInClassesThat().resideInAnyPackage("io.jcluster.agent.cli",
                    "io.jcluster.agent.parent", "io.jcluster.agent.standalone")
            .because("a reader finds every way into the jar in three packages: the CLI, the parent the launcher is"
                    + " redirected to, and the standalone balancer");

    static final Architectures.LayeredArchitecture LAYERS = Architectures.layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Entry").definedBy("io.jcluster.agent", "io.jcluster.agent.cli..", "io.jcluster.agent.parent..",
                    "io.jcluster.agent.standalone..")
            .layer("Routing modes").definedBy("io.jcluster.agent.routing..")
            .layer("Control plane").definedBy("io.jcluster.agent.supervisor..", "io.jcluster.agent.admin..",
                    "io.jcluster.agent.cluster..", "io.jcluster.agent.stopport..", "io.jcluster.agent.service..")
            .layer("Worker side").definedBy("io.jcluster.agent.instrument..", "io.jcluster.agent.worker..")
            .layer("Data plane").definedBy("io.jcluster.agent.balancer..", "io.jcluster.agent.http.proxy..",
                    "io.jcluster.agent.http.h2..")
            .layer("Protocol").definedBy("io.jcluster.agent.http.wire..", "io.jcluster.agent.control..")
            .layer("Foundation").definedBy("io.jcluster.agent.config..", "io.jcluster.agent.log..",
                    "io.jcluster.agent.stop..")
            .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
            .whereLayer("Routing modes").mayOnlyBeAccessedByLayers("Entry")
            .whereLayer("Control plane").mayOnlyBeAccessedByLayers("Entry", "Routing modes")
            .whereLayer("Worker side").mayOnlyBeAccessedByLayers("Entry")
            .whereLayer("Data plane").mayOnlyBeAccessedByLayers("Entry", "Routing modes")
            .whereLayer("Protocol").mayOnlyBeAccessedByLayers("Entry", "Routing modes", "Control plane",
                    "Worker side", "Data plane")
            .whereLayer("Foundation").mayOnlyBeAccessedByLayers("Entry", "Routing modes", "Control plane",
                    "Worker side", "Data plane", "Protocol");

    @Test
    void roomsAreFreeOfCycles() {
        NO_CYCLES.check(agent);
    }

    @Test
    void onlyInstrumentationTouchesByteBuddy() {
        ONLY_INSTRUMENTATION_TOUCHES_BYTE_BUDDY.check(agent);
    }

    @Test
    void httpWireCodeIsPure() {
        HTTP_WIRE_IS_PURE.check(agent);
    }

    @Test
    void httpCacheKnowsNoExchange() {
        HTTP_CACHE_KNOWS_NO_EXCHANGE.check(agent);
    }

    @Test
    void onlyTheWiringKnowsTheRoutingModes() {
        ONLY_THE_WIRING_KNOWS_THE_ROUTING_MODES.check(agent);
        THE_MODES_DO_NOT_KNOW_EACH_OTHER.check(agent);
    }

    @Test
    void noMutableStaticState() {
        NO_MUTABLE_STATIC_STATE.check(agent);
    }

    @Test
    void mainMethodsOnlyInEntryPackages() {
        MAIN_ONLY_IN_ENTRY_PACKAGES.check(agent);
    }

    @Test
    void layers() {
        LAYERS.check(agent);
    }
}
