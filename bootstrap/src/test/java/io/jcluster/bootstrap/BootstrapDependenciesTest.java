package io.jcluster.bootstrap;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

class BootstrapDependenciesTest {

    @Test
    void bootstrapDependsOnlyOnTheJdk() {
        JavaClasses bootstrap = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jcluster.bootstrap");
        classes().that().resideInAPackage("io.jcluster.bootstrap..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.jcluster.bootstrap..",
                        "io.jcluster", "io.jcluster.spi")
                .because("these classes sit on the boot class path, where JDK code calls them and nothing else is visible")
                .check(bootstrap);
    }
}
