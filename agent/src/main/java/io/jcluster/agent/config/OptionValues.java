package io.jcluster.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forms of one option's value: the one value given, a choice, a number, a duration, a size. Each bad value
 * is {@link OptionException#badValue}: one line naming the option and the value.
 */
final class OptionValues {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");

    static final Map<String, Boolean> ON_OFF = Map.of("on", true, "off", false);

    private OptionValues() {
    }

    /** The one value of {@code option}, or its default when not given; given twice is an error. */
    static String single(Map<Option, List<String>> given, Option option) throws OptionException {
        List<String> values = given.get(option);
        if (values == null) {
            return option.defaultValue();
        }
        if (values.size() > 1) {
            throw new OptionException(option.key() + "=" + values.get(1) + ": " + option.key()
                    + " may be given only once (it was also " + option.key() + "=" + values.get(0) + ")");
        }
        return values.get(0);
    }

    /** A size where {@code off} makes no sense. */
    static long sizeNotOff(Option option, String value) throws OptionException {
        if (value.equals("off")) {
            throw OptionException.badValue(option, value);
        }
        return size(option, value);
    }

    static <T> T oneOf(Option option, String value, Map<String, T> choices) throws OptionException {
        T choice = choices.get(value);
        if (choice == null) {
            throw OptionException.badValue(option, value);
        }
        return choice;
    }

    /** Up to half of Long.MAX_VALUE, so that a sum of two never overflows. */
    static long nonNegativeLong(Option option, String value) throws OptionException {
        try {
            long number = Long.parseLong(value);
            if (number < 0 || number > Long.MAX_VALUE / 2) {
                throw OptionException.badValue(option, value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }

    static int positive(Option option, String value) throws OptionException {
        return atLeast(1, option, value);
    }

    static int nonNegative(Option option, String value) throws OptionException {
        return atLeast(0, option, value);
    }

    static int atLeast(int minimum, Option option, String value) throws OptionException {
        int number = integer(option, value);
        if (number < minimum) {
            throw OptionException.badValue(option, value);
        }
        return number;
    }

    static int integer(Option option, String value) throws OptionException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }

    static Duration positiveDuration(Option option, String value) throws OptionException {
        Duration duration = duration(option, value);
        if (duration.isZero()) {
            throw OptionException.badValue(option, value);
        }
        return duration;
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration duration(Option option, String value) throws OptionException {
        NumberAndUnit parsed = numberAndUnit(DURATION, option, value);
        long amount = parsed.amount();
        return switch (parsed.unit()) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** {@code 512m}, {@code 2g}, {@code 64k}, plain bytes; {@code off} is 0. */
    static long size(Option option, String value) throws OptionException {
        if (value.equals("off")) {
            return 0;
        }
        NumberAndUnit parsed = numberAndUnit(SIZE, option, value);
        long amount = parsed.amount();
        int shift = switch (parsed.unit()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (amount == 0 || amount > (Long.MAX_VALUE >> shift)) {
            throw OptionException.badValue(option, value);
        }
        return amount << shift;
    }

    private record NumberAndUnit(long amount, String unit) {
    }

    /** A value like {@code 30s} or {@code 512m}: its number and unit; a bad form or an overflow is a bad value. */
    private static NumberAndUnit numberAndUnit(Pattern pattern, Option option, String value) throws OptionException {
        Matcher matcher = pattern.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw OptionException.badValue(option, value);
        }
        try {
            return new NumberAndUnit(Long.parseLong(matcher.group(1)), matcher.group(2));
        } catch (NumberFormatException e) {
            throw OptionException.badValue(option, value);
        }
    }
}
