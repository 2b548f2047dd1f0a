package io.jcluster.agent.cluster.embedded;

import java.nio.charset.StandardCharsets;

/** The numbers {@code increment} keeps: decimal ASCII, read and written as Redis's INCRBY does. */
final class DecimalText {

    private DecimalText() {
    }

    /**
     * A 64-bit number in Redis's INCRBY grammar (string2ll in Redis's util.c): an optional '-', then "0" alone or
     * digits without a leading zero; no '+', no spaces, no "-0". Read from the bytes, without a String or a regex:
     * increment is the shared map's hottest call.
     *
     * @throws NumberFormatException when the bytes are not such a number, or it does not fit in 64 bits
     */
    static long parseDecimal(byte[] text) {
        int length = text.length;
        boolean negative = length > 0 && text[0] == '-';
        int i = negative ? 1 : 0;
        if (i >= length || length > 20 || text[i] == '0' && length > 1) {
            throw new NumberFormatException();
        }
        // accumulate negatively: Long.MIN_VALUE has no positive twin
        long result = 0;
        for (; i < length; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9 || result < Long.MIN_VALUE / 10) {
                throw new NumberFormatException();
            }
            result *= 10;
            if (result < Long.MIN_VALUE + digit) {
                throw new NumberFormatException();
            }
            result -= digit;
        }
        if (!negative && result == Long.MIN_VALUE) {
            throw new NumberFormatException();
        }
        return negative ? result : -result;
    }

    /** {@code number} as decimal ASCII, written straight into the value's array. */
    static byte[] decimal(long number) {
        if (number == Long.MIN_VALUE) {
            return "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
        }
        long rest = Math.abs(number);
        int digits = 1;
        for (long bound = 10; digits < 19 && rest >= bound; bound *= 10) {
            digits++;
        }
        int sign = number < 0 ? 1 : 0;
        byte[] text = new byte[sign + digits];
        if (sign == 1) {
            text[0] = '-';
        }
        for (int i = text.length - 1; i >= sign; i--) {
            text[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return text;
    }
}
