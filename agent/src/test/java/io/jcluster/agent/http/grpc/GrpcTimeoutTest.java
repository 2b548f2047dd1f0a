package io.jcluster.agent.http.grpc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** The remaining time forwarded to a worker: the finest unit that fits 8 digits, rounded up. */
    @ParameterizedTest
    @CsvSource({"1, 1n", "99999999, 99999999n", "100000000, 100000u", "199873456, 199874u",
            "100000000000, 100000m", "100000000001, 100001m", "1000000000000000, 1000000S", "100000000000000000, 1666667M",
            "2592000000000000, 2592000S", "6000000000000000000, 1666667H"})
    void remainingTimeIsWrittenInTheFinestUnitThatFits(long nanos, String value) {
        assertEquals(value, GrpcTimeout.encode(nanos));
        assertTrue(GrpcTimeout.nanos(value) >= nanos);
    }
}
