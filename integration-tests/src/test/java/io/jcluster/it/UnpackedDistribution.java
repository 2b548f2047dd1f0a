package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build unpacked a server distribution for the tests (integration-tests/pom.xml), or a loud abort. */
final class UnpackedDistribution {

    private UnpackedDistribution() {
    }

    /**
     * The directory system property {@code property} names, when {@code marker} is a file in it; else aborts the
     * current test (reported as skipped) with a loud line on stderr that says how the build provides it.
     *
     * @param what     e.g. "the Apache Tomcat distribution"
     * @param artifact e.g. "org.apache.tomcat:tomcat:zip"
     * @param name     its folder under integration-tests/target and its skip flag's: "tomcat" for
     *                 target/tomcat-distribution and -DskipTomcatDistribution
     */
    static Path home(String property, String marker, String what, String artifact, String name) {
        String value = System.getProperty(property);
        Path home = value == null ? null : Path.of(value).toAbsolutePath().normalize();
        if (home == null || !Files.isRegularFile(home.resolve(marker))) {
            String why = what + " is missing (" + property + " = " + home + "): the build unpacks " + artifact
                    + " from Maven Central into integration-tests/target/" + name + "-distribution unless -Dskip"
                    + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Distribution is given; run the"
                    + " test through Maven (mvn -B verify -pl integration-tests -am -Dit.test=...)";
            System.err.println();
            System.err.println("!!!!! [it] SKIPPED: " + why + " !!!!!");
            System.err.println();
            Assumptions.abort(why);
        }
        return home;
    }
}
