package io.jcluster.spi;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiDependenciesTest {

    @Test
    void theApiDependsOnlyOnTheJdk() {
        JavaClasses api = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jcluster");
        assertTrue(api.contain(io.jcluster.Cluster.class) && api.contain(LocalCluster.class), "imported the api");
        classes().that().resideInAnyPackage("io.jcluster", "io.jcluster.spi")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.jcluster", "io.jcluster.spi")
                .because("apps compile against jcluster-api and may bundle it: it must bring nothing else along, and"
                        + " in a worker it sits on the boot class path, where nothing else is visible")
                .check(api);
    }
}
