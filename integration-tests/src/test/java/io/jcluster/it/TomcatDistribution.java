package io.jcluster.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The stock Apache Tomcat distribution (Maven Central {@code org.apache.tomcat:tomcat:VERSION:zip}, unpacked into
 * target/ by integration-tests/pom.xml; system property {@value #HOME_PROPERTY} names its CATALINA_HOME), run as its
 * users run it: {@code bin/catalina.sh run} with the agent in CATALINA_OPTS.
 *
 * <p>Each test gets a private CATALINA_BASE in its own directory: the distribution's conf/ with server.xml's HTTP
 * connector moved to 127.0.0.1 and a free port, and its shutdown port (8005) moved to another free one, so tests
 * never collide with each other or with a Tomcat on 8080/8005 (jcluster gives each worker a private shutdown port
 * anyway, see docs/compatibility.md; the free one keeps a test harmless if that ever broke); webapps/ holds only
 * the apps the test deploys. When the distribution is missing the test is ABORTED (reported as skipped) with a
 * loud line on stderr.
 *
 * <pre>
 *   TomcatDistribution tomcat = TomcatDistribution.base(tempDir, port).deployResource("counter");
 *   try (ClusterProcess cluster = tomcat.catalinaRun(jdk, "processes=2").start()) { ... }
 * </pre>
 */
final class TomcatDistribution {

    static final String HOME_PROPERTY = "jcluster.tomcat.home";
    /** What Tomcat logs (in each worker) once its apps are deployed and its connector accepts. */
    static final String STARTED = "Server startup in \\[\\d+\\] milliseconds";

    private static final String SERVER = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">";
    private static final String CONNECTOR = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";

    private final Path home;
    private final Path base;
    private final int port;
    private final int shutdownPort;

    private TomcatDistribution(Path home, Path base, int port, int shutdownPort) {
        this.home = home;
        this.base = base;
        this.port = port;
        this.shutdownPort = shutdownPort;
    }

    /** The distribution's CATALINA_HOME; aborts the current test, loudly, when it is not there. */
    static Path home() {
        return UnpackedDistribution.home(HOME_PROPERTY, "bin/catalina.sh", "the Apache Tomcat distribution",
                "org.apache.tomcat:tomcat:zip", "tomcat");
    }

    /**
     * A new CATALINA_BASE in {@code directory} whose HTTP connector listens on 127.0.0.1:{@code port}: the
     * distribution's conf/ (server.xml edited as the class comment says), and empty webapps/, logs/, temp/, work/.
     */
    static TomcatDistribution base(Path directory, int port) throws IOException {
        Path home = home();
        Path base = Files.createDirectories(directory.resolve("catalina-base"));
        copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String empty : new String[] {"webapps", "logs", "temp", "work"}) {
            Files.createDirectories(base.resolve(empty));
        }
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml);
        int shutdownPort = FreePorts.tcp();
        xml = replaceOnce(xml, SERVER, "<Server port=\"" + shutdownPort + "\" shutdown=\"SHUTDOWN\">");
        xml = replaceOnce(xml, CONNECTOR, "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        Files.writeString(serverXml, xml);
        return new TomcatDistribution(home, base, port, shutdownPort);
    }

    /** Deploys the web app directory {@code webapp} as webapps/{@code name} (context path /name; ROOT is /). */
    TomcatDistribution deploy(String name, Path webapp) throws IOException {
        copyTree(webapp, base.resolve("webapps").resolve(name));
        return this;
    }

    /** Deploys the web app kept in src/test/resources/tomcat-webapps/{@code name}. */
    TomcatDistribution deployResource(String name) throws IOException {
        URL url = TomcatDistribution.class.getResource("/tomcat-webapps/" + name);
        if (url == null) {
            throw new AssertionError("no test resource tomcat-webapps/" + name);
        }
        try {
            return deploy(name, Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new AssertionError("bad resource URL " + url, e);
        }
    }

    /**
     * {@code sh bin/catalina.sh run} of the distribution on this base, on {@code jdk}, with {@code -javaagent:jcluster.jar=agentArgs}
     * in CATALINA_OPTS; add {@code env}/{@code jvmFlags} before {@code start()}. The script execs the JVM, so that
     * JVM is the cluster's parent.
     */
    ClusterProcess.Builder catalinaRun(Jdk jdk, String agentArgs) {
        // sh: the unpacked zip keeps no executable bits
        return ClusterProcess.on(jdk).agentArgs(agentArgs)
                .script("CATALINA_OPTS", "sh", home.resolve("bin/catalina.sh").toString(), "run")
                .env("CATALINA_HOME", home.toString())
                .env("CATALINA_BASE", base.toString())
                .env("CATALINA_TMPDIR", base.resolve("temp").toString())
                .env("CATALINA_PID", "")
                .env("JAVA_OPTS", "");
    }

    /**
     * {@code sh bin/catalina.sh stop} of the distribution on this base, on {@code jdk}, as its users stop it: a JVM
     * of its own (without the agent: catalina.sh passes CATALINA_OPTS to start and run only) that sends server.xml's
     * shutdown command to its shutdown port. Tracked and killed by pid like a cluster.
     */
    ClusterProcess.Builder catalinaStop(Jdk jdk) {
        return ClusterProcess.on(jdk).withoutAgent()
                .script("CATALINA_OPTS", "sh", home.resolve("bin/catalina.sh").toString(), "stop")
                .env("CATALINA_HOME", home.toString())
                .env("CATALINA_BASE", base.toString())
                .env("CATALINA_TMPDIR", base.resolve("temp").toString())
                .env("CATALINA_PID", "")
                .env("JAVA_OPTS", "");
    }

    Path base() {
        return base;
    }

    int port() {
        return port;
    }

    /** The port of server.xml's {@code <Server port=...>}, where Tomcat listens for SHUTDOWN. */
    int shutdownPort() {
        return shutdownPort;
    }

    private static String replaceOnce(String text, String what, String replacement) {
        int at = text.indexOf(what);
        if (at < 0 || text.indexOf(what, at + 1) >= 0) {
            throw new AssertionError("the distribution's conf/server.xml does not hold exactly one " + what
                    + ": has its layout changed? Update TomcatDistribution");
        }
        return text.substring(0, at) + replacement + text.substring(at + what.length());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(source -> {
                Path target = to.resolve(from.relativize(source).toString());
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
