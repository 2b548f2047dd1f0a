package io.jcluster.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.config.Strategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each of ArchitectureTest's walls catches a class that breaks it: the classes named {@code WallBreakers} in the test
 * sources (one per room) break one wall each on purpose and are never used. A rule that let its breaker through
 * would pass on any code, so it would guard nothing.
 */
class ArchitectureWallsTest {

    @Test
    void aBalancerThatReadsHttpIsCaught() {
        assertCaught(ArchitectureTest.THE_BALANCER_KNOWS_NO_HTTP, io.jcluster.agent.balancer.WallBreakers.KnowsHttp.class);
    }

    @Test
    void aCycleBetweenRoomsIsCaught() {
        assertCaught(ArchitectureTest.NO_CYCLES, withTheBalancer(io.jcluster.agent.config.WallBreakers.KnowsTheBalancer.class));
    }

    @Test
    void aLowerLayerReachingUpIsCaught() {
        assertCaught(ArchitectureTest.LAYERS, withTheBalancer(io.jcluster.agent.config.WallBreakers.KnowsTheBalancer.class));
    }

    @Test
    void byteBuddyOutsideInstrumentationIsCaught() {
        assertCaught(ArchitectureTest.ONLY_INSTRUMENTATION_TOUCHES_BYTE_BUDDY,
                io.jcluster.agent.supervisor.WallBreakers.UsesByteBuddy.class);
    }

    @Test
    void wireCodeTouchingAChannelIsCaught() {
        assertCaught(ArchitectureTest.HTTP_WIRE_IS_PURE, io.jcluster.agent.http.wire.WallBreakers.TouchesAChannel.class);
    }

    @Test
    void aCacheThatKnowsTheEventLoopOrTheProxyIsCaught() {
        assertCaught(ArchitectureTest.HTTP_CACHE_KNOWS_NO_EXCHANGE,
                io.jcluster.agent.http.cache.WallBreakers.UsesTheEventLoop.class);
        assertCaught(ArchitectureTest.HTTP_CACHE_KNOWS_NO_EXCHANGE,
                io.jcluster.agent.http.cache.WallBreakers.KnowsTheProxy.class);
    }

    @Test
    void aRoomThatAsksForKernelModeIsCaught() {
        assertCaught(ArchitectureTest.ONLY_THE_WIRING_KNOWS_THE_ROUTING_MODES,
                io.jcluster.agent.supervisor.WallBreakers.KnowsKernelMode.class);
    }

    @Test
    void aMutableStaticFieldIsCaught() {
        assertCaught(ArchitectureTest.NO_MUTABLE_STATIC_STATE, io.jcluster.agent.balancer.WallBreakers.StaticState.class);
    }

    @Test
    void aMainOutsideTheEntryPackagesIsCaught() {
        assertCaught(ArchitectureTest.MAIN_ONLY_IN_ENTRY_PACKAGES, io.jcluster.agent.balancer.WallBreakers.Main.class);
    }

    /** The breaker among the real classes of the balancer and of the options (the balancer depends on them). */
    private static JavaClasses withTheBalancer(Class<?> breaker) {
        return new ClassFileImporter().importPaths(
                classesDirectoryOf(Balancer.class).resolve(Balancer.class.getPackageName().replace('.', '/')),
                classesDirectoryOf(Strategy.class).resolve(Strategy.class.getPackageName().replace('.', '/')),
                classesDirectoryOf(breaker).resolve(breaker.getName().replace('.', '/') + ".class"));
    }

    private static java.nio.file.Path classesDirectoryOf(Class<?> type) {
        try {
            return java.nio.file.Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertCaught(ArchRule rule, Class<?> breaker) {
        assertCaught(rule, new ClassFileImporter().importClasses(breaker));
    }

    private static void assertCaught(ArchRule rule, JavaClasses classes) {
        EvaluationResult result = rule.evaluate(classes);
        assertTrue(result.hasViolation() && result.getFailureReport().toString().contains("WallBreakers"),
                "the rule let its breaker through: " + rule.getDescription());
    }
}
