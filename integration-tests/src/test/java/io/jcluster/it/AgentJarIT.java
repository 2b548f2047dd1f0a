package io.jcluster.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one artifact a user needs: everything relocated under io.jcluster, an agent manifest, a usage text. */
class AgentJarIT {

    private static final Path JAR = Path.of(System.getProperty("jcluster.agent.jar", "../agent/target/jcluster.jar"));

    /** Where the jar carries the session adapters (module jcluster-sessions) as resources. */
    private static final String SESSION_ADAPTERS = "META-INF/jcluster/sessions/io/jcluster/sessions/";

    @Test
    void everyClassSitsUnderTheJclusterPackage() throws IOException {
        List<String> outside = new ArrayList<>();
        List<String> adaptersOnTheClassPath = new ArrayList<>();
        int classes = 0;
        int adapters = 0;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                if (name.startsWith(SESSION_ADAPTERS)) {
                    adapters++; // resources a worker defines beside a server's loader: no class path reaches them
                    continue;
                }
                classes++;
                if (!name.startsWith("io/jcluster/")) {
                    outside.add(name);
                }
                if (name.startsWith("io/jcluster/sessions/")) {
                    adaptersOnTheClassPath.add(name);
                }
            }
        }
        assertTrue(classes > 1000, "expected Byte Buddy and Netty shaded in, found only " + classes + " classes");
        assertEquals(List.of(), outside, "classes outside io/jcluster/ would clash with the app's own libraries");
        assertTrue(adapters > 3, "the session adapters travel under " + SESSION_ADAPTERS + ": found " + adapters);
        assertEquals(List.of(), adaptersOnTheClassPath, "the session adapters name server classes that the boot"
                + " class path cannot see: they must not sit where a class path finds them");
    }

    @Test
    void theManifestMakesItAnAgent() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.jcluster.agent.Premain", main.getValue("Premain-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("jcluster.jar", main.getValue("Boot-Class-Path"));
            assertEquals("io.jcluster.agent.cli.Cli", main.getValue("Main-Class"));
            assertTrue(jar.getEntry("io/jcluster/bootstrap/BindRewrite.class") != null);
            for (String library : List.of("epoll_x86_64", "epoll_aarch_64", "io_uring42_x86_64", "io_uring42_aarch_64")) {
                assertTrue(jar.getEntry("META-INF/native/libio_jcluster_shaded_netty_transport_native_" + library + ".so") != null,
                        "Netty's native library " + library + " must carry the relocated prefix in its name, or Netty cannot find it");
            }
        }
    }

    @Test
    void theApiIsInsideUnrelocated() throws IOException {
        // in a worker the app's io.jcluster.Cluster must resolve to the agent's copy on the boot class path
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (String api : List.of("io/jcluster/Cluster.class", "io/jcluster/SharedMap.class",
                    "io/jcluster/ClusterException.class", "io/jcluster/spi/ClusterBackends.class",
                    "io/jcluster/spi/OffloadPool.class", "io/jcluster/spi/ApiChecks.class")) {
                assertTrue(jar.getEntry(api) != null, "jcluster.jar lacks " + api);
            }
        }
    }

    @Test
    void runningTheJarPrintsUsageWithTheOptionTable() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("usage: java -javaagent:jcluster.jar"), output);
            for (String key : List.of("processes", "strategy", "port", "shutdown-timeout", "log", "restart-delay",
                    "max-restarts", "config")) {
                assertTrue(output.contains("  " + key + " "), "usage lacks option " + key + ":\n" + output);
            }
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aRenamedJarIsRefusedWithAClearMessage() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jcluster-renamed");
        Path renamed = Files.copy(JAR, dir.resolve("jcluster-0.1.jar"));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + renamed, "-version").redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, process.exitValue(), output);
            assertTrue(output.startsWith("jcluster: the agent jar must be named jcluster.jar"), output);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(renamed);
            Files.deleteIfExists(dir);
        }
    }
}
