package io.jcluster.agent.standalone;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OwnNettyPropertiesTest {

    @Test
    void withNothingGivenNettysFlightRecorderEventsAreOff() {
        Properties properties = new Properties();

        List<String> set = OwnNettyProperties.apply(properties);

        assertEquals(List.of("io.netty.jfr.enabled"), set);
        assertEquals("false", properties.getProperty("io.netty.jfr.enabled"));
    }

    @Test
    void aValueTheCommandLineGaveWins() {
        Properties properties = new Properties();
        properties.setProperty("io.netty.jfr.enabled", "true");

        List<String> set = OwnNettyProperties.apply(properties);

        assertEquals(List.of(), set);
        assertEquals("true", properties.getProperty("io.netty.jfr.enabled"));
    }
}
