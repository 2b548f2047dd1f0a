package io.jcluster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * A private copy of the agent jar, taken once per test run. The tests must not see
 * agent/target/jcluster.jar change under running JVMs when it is rebuilt meanwhile (seen: JVMs
 * dying with SIGBUS in libzip, "Failed to find Premain-Class manifest attribute").
 */
final class AgentSnapshot {

    private static Path snapshot;

    private AgentSnapshot() {
    }

    static synchronized Path path() throws IOException {
        if (snapshot == null) {
            Path source = ClusterProcess.Builder.existing("jcluster.agent.jar", "../agent/target/jcluster.jar");
            Path directory = Files.createTempDirectory("jcluster-it-agent-");
            directory.toFile().deleteOnExit();
            Path copy = directory.resolve("jcluster.jar"); // the agent requires its own name (Boot-Class-Path)
            copy.toFile().deleteOnExit();
            for (int attempt = 1; ; attempt++) {
                Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                try (JarFile jar = new JarFile(copy.toFile())) {
                    if (jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Premain-Class") != null) {
                        break;
                    }
                } catch (IOException incomplete) {
                    // copied while it was being written: try again
                }
                if (attempt == 10) {
                    throw new AssertionError(source + " has no Premain-Class (is it being rebuilt?)");
                }
                ClusterProcess.sleep(1000);
            }
            System.out.println("[it] agent under test: " + source + " (" + Files.size(copy) + " bytes, copied to " + copy + ")");
            snapshot = copy;
        }
        return snapshot;
    }
}
