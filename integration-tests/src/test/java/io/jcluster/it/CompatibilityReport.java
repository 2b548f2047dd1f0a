package io.jcluster.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the outcome of each matrix cell ("JETTY on JDK 17": passed, skipped with its reason, failed) and writes
 * them as a table to target/compatibility-matrix.md and to stdout once the matrix is done: what really ran.
 */
final class CompatibilityReport implements TestWatcher, AfterAllCallback {

    private static final Map<String, String> OUTCOMES = new ConcurrentHashMap<>();

    @Override
    public void testSuccessful(ExtensionContext context) {
        OUTCOMES.put(context.getDisplayName(), "passed");
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        OUTCOMES.put(context.getDisplayName(), "SKIPPED: " + cause.getMessage());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        OUTCOMES.put(context.getDisplayName(), "FAILED: " + message.lines().findFirst().orElse(""));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        OUTCOMES.put(context.getDisplayName(), "SKIPPED: " + reason.orElse("disabled"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        Set<String> jdks = new LinkedHashSet<>();
        for (String cell : OUTCOMES.keySet()) {
            jdks.add(cell.substring(cell.indexOf(" on ") + 4));
        }
        StringBuilder table = new StringBuilder("| stack |");
        jdks.forEach(jdk -> table.append(' ').append(jdk).append(" |"));
        table.append("\n|---|");
        jdks.forEach(jdk -> table.append("---|"));
        table.append('\n');
        for (Stack stack : Stack.values()) {
            table.append("| ").append(stack.name()).append(" |");
            for (String jdk : jdks) {
                table.append(' ').append(OUTCOMES.getOrDefault(stack.name() + " on " + jdk, "not run")).append(" |");
            }
            table.append('\n');
        }
        Path report = Path.of("target", "compatibility-matrix.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, table);
        System.out.println("[it] compatibility matrix (" + report.toAbsolutePath() + "):\n" + table);
    }
}
