package io.jcluster.agent.http.cache;

/**
 * HTTP-date (RFC 9110 section 5.6.7) to epoch seconds, in place in a head's bytes: IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and
 * asctime ({@code Sun Nov  6 08:49:37 1994}). Names are matched ignoring case and only "GMT" is a zone (RFC 9111
 * section 4.2: a cache matches dates case-insensitively and treats other zones as invalid). Anything else, a day
 * that the month does not have, or an hour past 23, is invalid: -1. A valid date before 1970 is 0, a time in the
 * past, which is all a cache needs of it.
 */
final class HttpDate {

    static final long INVALID = -1;

    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    private static final String[] LONG_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday"};
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
            "nov", "dec"};

    private HttpDate() {
    }

    /**
     * The date in {@code b[s, e)} (a header value, without surrounding whitespace) in epoch seconds, or -1.
     *
     * @param now epoch seconds: an RFC 850 date's two-digit year is the one that is not more than 50 years ahead
     */
    static long parse(byte[] b, int s, int e, long now) {
        int n = e - s;
        if (n < 24 || n > 40) {
            return INVALID;
        }
        if (b[s + 3] == ',') {
            return n == 29 && isName(b, s, 3, DAYS) && b[s + 4] == ' ' ? imfFixdate(b, s + 5) : INVALID;
        }
        if (b[s + 3] == ' ') {
            return n == 24 && isName(b, s, 3, DAYS) ? asctime(b, s + 4) : INVALID;
        }
        int comma = s + 6;
        while (comma < s + 10 && b[comma] != ',') {
            comma++;
        }
        if (b[comma] != ',' || !isName(b, s, comma - s, LONG_DAYS) || e - comma != 24 || b[comma + 1] != ' ') {
            return INVALID;
        }
        return rfc850(b, comma + 2, now);
    }

    /** {@code 06 Nov 1994 08:49:37 GMT} at {@code i}. */
    private static long imfFixdate(byte[] b, int i) {
        int day = digits(b, i, 2);
        int month = month(b, i + 3);
        int year = digits(b, i + 7, 4);
        if (b[i + 2] != ' ' || b[i + 6] != ' ' || b[i + 11] != ' ' || b[i + 20] != ' ' || !isGmt(b, i + 21)) {
            return INVALID;
        }
        return epoch(year, month, day, b, i + 12);
    }

    /** {@code 06-Nov-94 08:49:37 GMT} at {@code i}. */
    private static long rfc850(byte[] b, int i, long now) {
        int day = digits(b, i, 2);
        int month = month(b, i + 3);
        int yy = digits(b, i + 7, 2);
        if (b[i + 2] != '-' || b[i + 6] != '-' || b[i + 9] != ' ' || b[i + 18] != ' ' || !isGmt(b, i + 19)
                || yy < 0) {
            return INVALID;
        }
        // RFC 9110 section 5.6.7: a year that appears more than 50 years in the future is the one a century before
        long nowYear = 1970 + Math.floorDiv(Math.max(now, 0), 31_556_952L); // mean Gregorian year: exact enough here
        long year = nowYear - Math.floorMod(nowYear, 100) + yy;
        if (year > nowYear + 50) {
            year -= 100;
        }
        return epoch((int) year, month, day, b, i + 10);
    }

    /** {@code Nov  6 08:49:37 1994} (or {@code Nov 06}) at {@code i}. */
    private static long asctime(byte[] b, int i) {
        int month = month(b, i);
        int day = b[i + 4] == ' ' ? digits(b, i + 5, 1) : digits(b, i + 4, 2);
        int year = digits(b, i + 16, 4);
        if (b[i + 3] != ' ' || b[i + 6] != ' ' || b[i + 15] != ' ') {
            return INVALID;
        }
        return epoch(year, month, day, b, i + 7);
    }

    /** The time of day {@code 08:49:37} at {@code t} on the given date. */
    private static long epoch(int year, int month, int day, byte[] b, int t) {
        int hour = digits(b, t, 2);
        int minute = digits(b, t + 3, 2);
        int second = digits(b, t + 6, 2);
        if (year < 0 || month < 0 || day < 1 || day > daysIn(year, month) || b[t + 2] != ':' || b[t + 5] != ':'
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return INVALID;
        }
        // a leap second :60 becomes :59, the nearest time not later than the value (RFC 9111 section 4.2)
        long seconds = daysFromCivil(year, month + 1, day) * 86_400L + hour * 3600L + minute * 60L
                + Math.min(second, 59);
        return Math.max(seconds, 0);
    }

    private static int daysIn(int year, int month) {
        switch (month) {
            case 1:
                return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
            case 3:
            case 5:
            case 8:
            case 10:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** The month at {@code i} as 0..11, or -1. */
    private static int month(byte[] b, int i) {
        for (int m = 0; m < MONTHS.length; m++) {
            if (equalsIgnoreCase(b, i, MONTHS[m])) {
                return m;
            }
        }
        return -1;
    }

    /** {@code count} decimal digits at {@code i}, or -1. */
    private static int digits(byte[] b, int i, int count) {
        int value = 0;
        for (int k = i; k < i + count; k++) {
            int digit = b[k] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static boolean isGmt(byte[] b, int i) {
        return equalsIgnoreCase(b, i, "gmt");
    }

    private static boolean isName(byte[] b, int s, int length, String[] names) {
        for (String name : names) {
            if (name.length() == length && equalsIgnoreCase(b, s, name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the bytes at {@code i} are the letters of {@code lower}, ignoring case. */
    private static boolean equalsIgnoreCase(byte[] b, int i, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            int c = b[i + k];
            if ((c | 0x20) != lower.charAt(k) || c < 'A') {
                return false;
            }
        }
        return true;
    }
}
