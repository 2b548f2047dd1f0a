package io.jcluster.agent.worker;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** STOP.KEY as a worker reads it for the port Jetty's ShutdownService is binding. */
class JettyStopKeyTest {

    private static Properties properties(String... pairs) {
        Properties properties = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            properties.setProperty(pairs[i], pairs[i + 1]);
        }
        return properties;
    }

    @Test
    void theKeyOfStopPort() {
        assertEquals(Optional.of("secret"), JettyStopKey.of(28282, properties("STOP.PORT", "28282", "STOP.KEY", "secret")));
    }

    @Test
    void anotherPortIsNotStopPort() {
        // Jetty 12.1's shutdown module: its own ShutdownService on jetty.shutdown.port, with jetty.shutdown.key
        assertEquals(Optional.empty(), JettyStopKey.of(28283, properties("STOP.PORT", "28282", "STOP.KEY", "secret")));
        assertEquals(Optional.empty(), JettyStopKey.of(28282, properties("STOP.KEY", "secret")));
        assertEquals(Optional.empty(), JettyStopKey.of(28282, properties("STOP.PORT", "x", "STOP.KEY", "secret")));
    }

    @Test
    void noKeyOrABlankOneIsUnknown() {
        // Jetty makes a key up in each worker then: no client knows it, the parent cannot take the port
        assertEquals(Optional.empty(), JettyStopKey.of(28282, properties("STOP.PORT", "28282")));
        assertEquals(Optional.empty(), JettyStopKey.of(28282, properties("STOP.PORT", "28282", "STOP.KEY", " ")));
    }
}
