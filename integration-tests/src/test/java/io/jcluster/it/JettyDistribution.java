package io.jcluster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The stock Eclipse Jetty distribution (Maven Central {@code org.eclipse.jetty:jetty-home:VERSION:zip}, unpacked into
 * target/ by integration-tests/pom.xml; system property {@value #HOME_PROPERTY} names its JETTY_HOME), run as its
 * users run it: {@code java -jar $JETTY_HOME/start.jar} on a JETTY_BASE.
 *
 * <p>Each test gets a private JETTY_BASE in its own directory, made by start.jar itself ({@code --add-modules=...}),
 * with webapps/hello/index.html for the {@code static-deploy} module to serve at /hello/. When the distribution is
 * missing the test is ABORTED (reported as skipped) with a loud line on stderr.
 */
final class JettyDistribution {

    static final String HOME_PROPERTY = "jcluster.jetty.home";

    private final Path home;
    private final Path base;

    private JettyDistribution(Path home, Path base) {
        this.home = home;
        this.base = base;
    }

    /** The distribution's JETTY_HOME; aborts the current test, loudly, when it is not there. */
    static Path home() {
        return UnpackedDistribution.home(HOME_PROPERTY, "start.jar", "the Eclipse Jetty distribution",
                "org.eclipse.jetty:jetty-home:zip", "jetty");
    }

    /**
     * A new JETTY_BASE in {@code directory} with the given modules enabled, as its users make one: {@code java -jar
     * start.jar --add-modules=...} (a JVM of its own, without the agent), and webapps/hello/index.html.
     */
    static JettyDistribution base(Jdk jdk, Path directory, String modules) throws IOException {
        Path home = home();
        Path base = Files.createDirectories(directory.resolve("jetty-base"));
        JettyDistribution jetty = new JettyDistribution(home, base);
        try (ClusterProcess setup = ClusterProcess.on(jdk).withoutAgent()
                .launch(jetty.startJar("--add-modules=" + modules).toArray(String[]::new)).start()) {
            assertEquals(0, setup.awaitExit(Duration.ofSeconds(60)), "start.jar --add-modules\n" + setup.describe());
        }
        Path hello = Files.createDirectories(base.resolve("webapps/hello"));
        Files.writeString(hello.resolve("index.html"), "hello from jetty\n");
        return jetty;
    }

    /** The launcher arguments {@code -jar $JETTY_HOME/start.jar jetty.home=... jetty.base=...} then {@code args}. */
    List<String> startJar(String... args) {
        List<String> launch = new ArrayList<>(List.of("-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base));
        launch.addAll(List.of(args));
        return launch;
    }

    Path base() {
        return base;
    }
}
