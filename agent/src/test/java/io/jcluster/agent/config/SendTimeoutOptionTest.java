package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** send-timeout: nginx's send_timeout default, a duration, never 0 (as the other timeouts), http mode only. */
class SendTimeoutOptionTest {

    @Test
    void defaultsToNginxsSendTimeout() throws OptionException {
        assertEquals(Duration.ofSeconds(60), OptionParser.parse("mode=http").http().sendTimeout());
    }

    @Test
    void aDurationParses() throws OptionException {
        assertEquals(Duration.ofMillis(1500), OptionParser.parse("mode=http,send-timeout=1500ms").http().sendTimeout());
        assertEquals(Duration.ofMinutes(5), OptionParser.parse("mode=http,send-timeout=5m").http().sendTimeout());
    }

    @Test
    void zeroAndBadValuesAreRefusedNamingTheOption() {
        String zero = assertThrows(OptionException.class, () -> OptionParser.parse("send-timeout=0s")).getMessage();
        assertTrue(zero.startsWith("send-timeout=0s: "), zero);
        String unit = assertThrows(OptionException.class, () -> OptionParser.parse("send-timeout=60")).getMessage();
        assertTrue(unit.startsWith("send-timeout=60: "), unit);
    }

    @Test
    void grpcModeAndTheKernelBalancerRefuseIt() {
        String grpc = assertThrows(OptionException.class,
                () -> OptionParser.parse("mode=grpc,send-timeout=5s")).getMessage();
        assertTrue(grpc.startsWith("send-timeout=5s: needs mode=http"), grpc);
        String kernel = assertThrows(OptionException.class,
                () -> OptionParser.parse("balancer=kernel,send-timeout=5s")).getMessage();
        assertTrue(kernel.contains("send-timeout"), kernel);
    }

    @Test
    void itIsShownAmongTheRunTimeValuesAndChangesAtSighup() throws OptionException {
        assertEquals("30s", RunTimeValues.of(OptionParser.parse("mode=http,send-timeout=30s")).get("send-timeout"));
        assertTrue(OptionReread.AT_RUN_TIME.contains(Option.SEND_TIMEOUT));
    }
}
