package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** body-timeout and h2c-upgrade: defaults, values, and the one-line errors. */
class HttpFramingOptionsTest {

    @Test
    void defaultsAreNginxsBodyTimeoutAndRefusingH2c() throws OptionException {
        Options options = OptionParser.parse("mode=http");
        assertEquals(Duration.ofSeconds(60), options.http().bodyTimeout());
        assertEquals(Options.H2cUpgrade.REFUSE, options.http().h2cUpgrade());
    }

    @Test
    void valuesParse() throws OptionException {
        Options options = OptionParser.parse("mode=http,body-timeout=1500ms,h2c-upgrade=pass");
        assertEquals(Duration.ofMillis(1500), options.http().bodyTimeout());
        assertEquals(Options.H2cUpgrade.PASS, options.http().h2cUpgrade());
        assertEquals(Options.H2cUpgrade.REFUSE, OptionParser.parse("h2c-upgrade=refuse").http().h2cUpgrade());
    }

    @Test
    void badValuesNameTheOptionAndWhatItAccepts() {
        String h2c = assertThrows(OptionException.class, () -> OptionParser.parse("h2c-upgrade=yes")).getMessage();
        assertEquals("h2c-upgrade=yes: expected refuse or pass", h2c);
        String body = assertThrows(OptionException.class, () -> OptionParser.parse("body-timeout=0s")).getMessage();
        assertTrue(body.startsWith("body-timeout=0s: "), body);
        String unit = assertThrows(OptionException.class, () -> OptionParser.parse("body-timeout=60")).getMessage();
        assertTrue(unit.startsWith("body-timeout=60: "), unit);
    }
}
