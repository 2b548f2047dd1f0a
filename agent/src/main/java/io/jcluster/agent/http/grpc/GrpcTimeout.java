package io.jcluster.agent.http.grpc;

import java.util.concurrent.TimeUnit;

/**
 * The {@code grpc-timeout} request header (gRPC over HTTP/2, "Timeout"): a positive integer of at most 8 ASCII digits
 * and one unit letter, H M S m u n. Anything else is malformed: the call is answered INTERNAL, as gRPC servers do
 * (grpc-go: "malformed grpc-timeout"), never silently run without its deadline.
 */
final class GrpcTimeout {

    /** The value is not a grpc-timeout. */
    static final long MALFORMED = -1;
    /**
     * Longer than {@link #LONGEST}: the parent keeps no timer for it (the worker's gRPC server still gets the header
     * and keeps the deadline); 8 digits of hours would overflow a count of nanoseconds.
     */
    static final long UNTIMED = Long.MAX_VALUE;
    /** The longest deadline the parent times itself. */
    static final long LONGEST = TimeUnit.DAYS.toNanos(30);

    private GrpcTimeout() {
    }

    /** @return nanoseconds, {@link #UNTIMED} or {@link #MALFORMED} */
    static long nanos(CharSequence value) {
        int length = value.length();
        if (length < 2 || length > 9) {
            return MALFORMED;
        }
        long amount = 0;
        for (int i = 0; i < length - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return MALFORMED;
            }
            amount = amount * 10 + (c - '0');
        }
        long unit;
        switch (value.charAt(length - 1)) {
            case 'H':
                unit = TimeUnit.HOURS.toNanos(1);
                break;
            case 'M':
                unit = TimeUnit.MINUTES.toNanos(1);
                break;
            case 'S':
                unit = TimeUnit.SECONDS.toNanos(1);
                break;
            case 'm':
                unit = TimeUnit.MILLISECONDS.toNanos(1);
                break;
            case 'u':
                unit = TimeUnit.MICROSECONDS.toNanos(1);
                break;
            case 'n':
                unit = 1;
                break;
            default:
                return MALFORMED;
        }
        // at most 99,999,999 units: compare before multiplying, so that nothing overflows
        return amount > LONGEST / unit ? UNTIMED : amount * unit;
    }

    /** Units from the finest: the first in which an amount fits 8 digits is the one written. */
    private static final char[] UNITS = {'n', 'u', 'm', 'S', 'M', 'H'};
    private static final long[] UNIT_NANOS = {1, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1),
            TimeUnit.SECONDS.toNanos(1), TimeUnit.MINUTES.toNanos(1), TimeUnit.HOURS.toNanos(1)};
    private static final long MAX_AMOUNT = 99_999_999;

    /**
     * {@code nanos} (positive) as a grpc-timeout: in the finest unit in which it fits 8 digits, rounded up to a whole
     * unit (as grpc-go writes it): the worker's deadline is the client's, at most one such unit later (a part in
     * 10^7).
     */
    static String encode(long nanos) {
        for (int i = 0; i < UNITS.length; i++) {
            long amount = (nanos + UNIT_NANOS[i] - 1) / UNIT_NANOS[i];
            if (amount <= MAX_AMOUNT) {
                return Long.toString(Math.max(amount, 1)) + UNITS[i];
            }
        }
        return MAX_AMOUNT + "H";
    }
}
