package io.jcluster.spi;

import java.time.Duration;

/**
 * The rules for what an app may pass to {@link io.jcluster.Cluster} and {@link io.jcluster.SharedMap}, checked the
 * same by every backend (single process, worker, and again in the parent). A {@code null} is a
 * {@link NullPointerException} naming the parameter; any other broken rule is an {@link IllegalArgumentException}
 * whose message states the rule.
 */
public final class ApiChecks {

    /** {@code max-message} when not set: 256 KiB. */
    public static final long DEFAULT_MAX_MESSAGE = 256 * 1024;
    /** The largest {@code max-message} allowed: 8 MiB (a frame on the control connection must stay small). */
    public static final long MAX_MAX_MESSAGE = 8 * 1024 * 1024;
    /** The longest name of a topic or a map. */
    public static final int MAX_NAME_LENGTH = 200;
    /** The longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** The longest time to live: long enough for "practically forever", short enough for nanosecond arithmetic. */
    public static final Duration MAX_TTL = Duration.ofDays(36_500);

    private static final String NAME_RULE = "1.." + MAX_NAME_LENGTH + " characters of A-Z a-z 0-9 . _ : -";

    private ApiChecks() {
    }

    /** {@code topic}, if it is 1..200 characters of {@code [A-Za-z0-9._:-]}. */
    public static String topic(String topic) {
        return name("topic", topic);
    }

    /** {@code name}, if it is 1..200 characters of {@code [A-Za-z0-9._:-]}. */
    public static String mapName(String name) {
        return name("map name", name);
    }

    /** {@code key}, if it is 1..1024 bytes in UTF-8 (any text, but well-formed: no unpaired surrogate). */
    public static String key(String key) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("the key is empty: a key is 1.." + MAX_KEY_BYTES + " bytes of UTF-8 text");
        }
        long bytes = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < key.length()
                    && Character.isLowSurrogate(key.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                // UTF-8 would turn it into '?', so two different keys would name the same entry
                throw new IllegalArgumentException("the key has an unpaired surrogate at index " + i
                        + ": a key is 1.." + MAX_KEY_BYTES + " bytes of well-formed UTF-8 text");
            } else {
                bytes += 3;
            }
        }
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("the key is " + bytes + " bytes in UTF-8 (it starts '"
                    + key.substring(0, Math.min(key.length(), 40)) + "'): a key is 1.." + MAX_KEY_BYTES
                    + " bytes of UTF-8 text");
        }
        return key;
    }

    /**
     * {@code bytes}, if it is at most {@code maxMessage} long. {@code what} names it in the message: "message" or
     * "value of 'key'".
     */
    public static byte[] size(String what, byte[] bytes, long maxMessage) {
        if (bytes == null) {
            throw new NullPointerException(what);
        }
        if (bytes.length > maxMessage) {
            String advice = bytes.length > MAX_MAX_MESSAGE
                    ? "max-message is at most " + sizeText(MAX_MAX_MESSAGE) + ": send it in parts or keep it elsewhere"
                    : "set max-message=" + sizeText(roundUpToKiB(bytes.length)) + " or more to allow it";
            throw new IllegalArgumentException(what + " of " + bytes.length + " bytes is over max-message="
                    + sizeText(maxMessage) + " (" + advice + ")");
        }
        return bytes;
    }

    /** {@code ttl} in milliseconds (fractions of a millisecond dropped), if it is 1 ms .. 100 years. */
    public static long ttl(Duration ttl) {
        if (ttl == null) {
            throw new NullPointerException("ttl");
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl " + ttl + " is over 100 years: a time to live is 1ms..100 years "
                    + "(for no expiry, put without a ttl)");
        }
        long millis = ttl.toMillis();
        if (millis < 1) {
            throw new IllegalArgumentException("ttl " + ttl + " is under 1ms: a time to live is 1ms..100 years");
        }
        return millis;
    }

    /** Sizes as the options write them: {@code 256k}, {@code 8m}, or bytes. */
    static String sizeText(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "m";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "k";
        }
        return Long.toString(bytes);
    }

    private static String shown(char c) {
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static long roundUpToKiB(long bytes) {
        return (bytes + 1023) / 1024 * 1024;
    }

    private static String name(String what, String name) {
        if (name == null) {
            throw new NullPointerException(what);
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("the " + what + " is " + name.length() + " characters long: a " + what
                    + " is " + NAME_RULE);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                throw new IllegalArgumentException("the " + what + " '" + name + "' has " + shown(c) + " at index " + i
                        + ": a " + what + " is " + NAME_RULE);
            }
        }
        return name;
    }
}
