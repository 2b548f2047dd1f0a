package io.jcluster.agent.standalone;

import io.jcluster.agent.config.HttpOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The standalone balancer takes --cache, --cache-max-object and --cache-status-header as the agent does. */
class BalanceCacheOptionsTest {

    @Test
    void cacheOptionsAreFlags() throws Exception {
        HttpOptions http = BalanceArguments.parse(("--listen 9000 --backend 127.0.0.1:8081 --mode http --cache 64m"
                + " --cache-max-object=2m --cache-status-header off").split(" ")).options().http();
        assertEquals(64L << 20, http.cache());
        assertEquals(2L << 20, http.cacheMaxObject());
        assertFalse(http.cacheStatusHeader());
        String error = assertThrows(BalanceArguments.BadArguments.class, () -> BalanceArguments.parse(
                "--listen 9000 --backend 127.0.0.1:8081 --cache 64m".split(" "))).getMessage();
        assertEquals("--cache 64m: needs mode=http (the cache answers HTTP requests; tcp mode relays bytes it does"
                + " not read)", error);
    }
}
