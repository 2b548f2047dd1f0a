package io.jcluster.agent.standalone;

import io.jcluster.agent.config.Options;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The standalone balancer takes --body-timeout, --send-timeout (mode http and grpc) and --h2c-upgrade as the agent does. */
class BalanceHttpFramingOptionsTest {

    @Test
    void bodyTimeoutAndH2cUpgradeAreFlags() throws Exception {
        Options options = BalanceArguments.parse(("--listen 9000 --backend 127.0.0.1:8081 --mode http"
                + " --body-timeout 5s --send-timeout 7s --h2c-upgrade=pass").split(" ")).options();
        assertEquals(Duration.ofSeconds(5), options.http().bodyTimeout());
        assertEquals(Duration.ofSeconds(7), options.http().sendTimeout());
        assertEquals(Options.H2cUpgrade.PASS, options.http().h2cUpgrade());
        String error = assertThrows(BalanceArguments.BadArguments.class, () -> BalanceArguments.parse(
                "--listen 9000 --backend 127.0.0.1:8081 --h2c-upgrade maybe".split(" "))).getMessage();
        assertEquals("--h2c-upgrade maybe: expected refuse or pass", error);
    }

    @Test
    void sendTimeoutIsAFlagInGrpcModeToo() throws Exception {
        Options options = BalanceArguments.parse(("--listen 9000 --backend 127.0.0.1:8081 --mode grpc"
                + " --send-timeout 7s").split(" ")).options();
        assertEquals(Duration.ofSeconds(7), options.http().sendTimeout());
    }
}
