package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cache, cache-max-object and cache-status-header: defaults, values, and the one-line errors. */
class CacheOptionsTest {

    private static String error(String argument) {
        return assertThrows(OptionException.class, () -> OptionParser.parse(argument)).getMessage();
    }

    @Test
    void offByDefaultWithAOneMegabyteObjectLimitAndTheStatusHeader() throws OptionException {
        HttpOptions http = OptionParser.parse("mode=http").http();
        assertFalse(http.cacheOn());
        assertEquals(0, http.cache());
        assertEquals(1 << 20, http.cacheMaxObject());
        assertTrue(http.cacheStatusHeader());
    }

    @Test
    void valuesParse() throws OptionException {
        HttpOptions http = OptionParser.parse("mode=http,cache=64m,cache-max-object=256k,cache-status-header=off")
                .http();
        assertTrue(http.cacheOn());
        assertEquals(64L << 20, http.cache());
        assertEquals(256L << 10, http.cacheMaxObject());
        assertFalse(http.cacheStatusHeader());
        assertFalse(OptionParser.parse("mode=http,cache=off").http().cacheOn());
    }

    @Test
    void badValuesNameTheOptionAndWhatItAccepts() {
        assertEquals("cache=lots: expected a size like 64m (bytes, k, m, g), or off", error("mode=http,cache=lots"));
        assertTrue(error("mode=http,cache=64m,cache-max-object=off").startsWith("cache-max-object=off: "));
        assertEquals("cache-status-header=yes: expected on or off", error("mode=http,cache-status-header=yes"));
    }

    @Test
    void tcpModeAndTheKernelBalancerAreRefused() {
        assertEquals("cache=64m: needs mode=http (the cache answers HTTP requests; tcp mode relays bytes it does not"
                + " read)", error("cache=64m"));
        assertEquals("balancer=kernel has no proxy: cache=64m needs balancer=proxy", error("balancer=kernel,cache=64m"));
    }

    @Test
    void anObjectLargerThanTheCacheIsRefused() {
        assertEquals("cache-max-object=1m: at most cache=512k; give a smaller cache-max-object or a larger cache",
                error("mode=http,cache=512k"));
    }
}
