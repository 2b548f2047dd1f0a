package io.jcluster.agent.worker;

import java.util.Optional;
import java.util.Properties;

/**
 * The key of the Jetty stop port that ShutdownService#listen (ShutdownMonitor#listen before Jetty 12.1) is binding,
 * read as Jetty's ShutdownMonitor reads it: from the system properties {@code STOP.PORT} and {@code STOP.KEY}, which
 * start.jar sets inside the JVM from its own arguments ({@code java -jar start.jar STOP.PORT=... STOP.KEY=...}). No
 * Jetty class is touched. Empty when the port being bound is not STOP.PORT (Jetty 12.1's {@code shutdown} module
 * configures its own ShutdownService from {@code jetty.shutdown.*}, which are no system properties) or STOP.KEY is
 * blank (Jetty then makes up a key in each worker, which no client knows).
 */
final class JettyStopKey {

    private JettyStopKey() {
    }

    static Optional<String> of(int port) {
        return of(port, System.getProperties());
    }

    static Optional<String> of(int port, Properties properties) {
        String stopPort = properties.getProperty("STOP.PORT");
        String key = properties.getProperty("STOP.KEY");
        if (stopPort == null || key == null || key.isBlank()) {
            return Optional.empty();
        }
        try {
            return Integer.parseInt(stopPort) == port ? Optional.of(key) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // Jetty fails to start on it anyway
        }
    }
}
