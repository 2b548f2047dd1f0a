package io.jcluster.agent.http.grpc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** grpc-timeout as gRPC over HTTP/2 defines it: 1 to 8 digits and one of H M S m u n. */
class GrpcTimeoutTest {

    @ParameterizedTest
    @CsvSource({"1H, 3600000000000", "2M, 120000000000", "3S, 3000000000", "250m, 250000000", "7u, 7000",
            "99999999n, 99999999", "0n, 0", "00000001S, 1000000000", "720H, 2592000000000000"})
    void validValuesAreNanoseconds(String value, long nanos) {
        assertEquals(nanos, GrpcTimeout.nanos(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "S", "1", "10s", "1h", "-1S", "+1S", "1.5S", " 1S", "1S ", "123456789S", "1SS",
            "１S"})
    void anythingElseIsMalformed(String value) {
        assertEquals(GrpcTimeout.MALFORMED, GrpcTimeout.nanos(value));
    }

    /** 99,999,999 hours would overflow a long of nanoseconds: past 30 days the parent keeps no timer. */
    @ParameterizedTest
    @ValueSource(strings = {"99999999H", "721H", "43201M", "2592001S"})
    void beyondThirtyDaysIsLeftToTheWorker(String value) {
        assertEquals(GrpcTimeout.UNTIMED, GrpcTimeout.nanos(value));
    }
}
