package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** send-timeout: nginx's send_timeout default, a duration, never 0 (as the other timeouts), mode=http and grpc. */
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
    void grpcModeTakesIt() throws OptionException {
        assertEquals(Duration.ofSeconds(5), OptionParser.parse("mode=grpc,send-timeout=5s").http().sendTimeout());
        assertEquals(Duration.ofSeconds(60), OptionParser.parse("mode=grpc").http().sendTimeout());
    }

    /** mode=grpc's send-timeout changes at a SIGHUP as http mode's does (GrpcFrontend.reconfigure applies it). */
    @Test
    void grpcModeRereadsItAtSighup() throws OptionException {
        String file = "/etc/jcluster/grpc.properties";
        FakeMachine machine = new FakeMachine().file(file, "processes=2\n");
        OptionReread reread = new OptionReread("config=" + file + ",mode=grpc", machine);
        machine.file(file, "processes=2\nsend-timeout=5s\n");
        OptionReread.Change change = reread.reread();
        assertFalse(change.refused(), change.refusal());
        assertEquals(Set.of(Option.SEND_TIMEOUT), change.changed());
        assertEquals(Duration.ofSeconds(5), change.options().http().sendTimeout());
    }

    @Test
    void theKernelBalancerRefusesIt() {
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
