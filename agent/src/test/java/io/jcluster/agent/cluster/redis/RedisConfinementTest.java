package io.jcluster.agent.cluster.redis;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Lettuce (and the Reactor it brings) stays in this package, and no worker-side code reaches it: a worker talks to
 * its parent over the control channel and never loads a Redis client, and the rest of the parent sees the store only
 * through {@link io.jcluster.agent.cluster.Store}.
 */
class RedisConfinementTest {

    private static JavaClasses agent;

    @BeforeAll
    static void importClasses() {
        agent = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jcluster");
    }

    @Test
    void onlyTheRedisStoreTouchesLettuce() {
        noClasses().that().resideOutsideOfPackage("io.jcluster.agent.cluster.redis..")
                .should().dependOnClassesThat().resideInAnyPackage("io.lettuce..", "reactor..", "org.reactivestreams..")
                .because("the Redis client is the parent's, behind Store; nothing else may come to depend on it")
                .check(agent);
    }

    @Test
    void workersNeverReachTheRedisStore() {
        noClasses().that().resideInAnyPackage("io.jcluster.agent.worker..", "io.jcluster.agent.instrument..",
                        "io.jcluster.bootstrap..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jcluster.agent.cluster..", "io.lettuce..",
                        "reactor..", "org.reactivestreams..")
                .because("a worker talks to its parent over the control channel and loads no Redis client (the app"
                        + " may bring its own Lettuce)")
                .check(agent);
    }
}
