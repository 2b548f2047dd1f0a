package io.jcluster.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ApiChecksTest {

    @Test
    void namesAreOneToTwoHundredCharactersOfASmallAlphabet() {
        assertEquals("chat.room-1:a_B", ApiChecks.topic("chat.room-1:a_B"));
        assertEquals("x", ApiChecks.mapName("x"));
        assertEquals("n".repeat(200), ApiChecks.mapName("n".repeat(200)));
        for (String bad : new String[] {"", "n".repeat(201), "a b", "a/b", "é", "a*", "tab\t", "{x}"}) {
            IllegalArgumentException topic = assertThrows(IllegalArgumentException.class, () -> ApiChecks.topic(bad));
            assertContains(topic.getMessage(), "a topic is 1..200 characters of A-Z a-z 0-9 . _ : -");
            IllegalArgumentException map = assertThrows(IllegalArgumentException.class, () -> ApiChecks.mapName(bad));
            assertContains(map.getMessage(), "a map name is 1..200 characters of A-Z a-z 0-9 . _ : -");
        }
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.topic("a b")).getMessage(),
                "has U+0020 at index 1");
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.topic("ab/")).getMessage(),
                "has '/' at index 2");
        assertThrows(NullPointerException.class, () -> ApiChecks.topic(null));
        assertThrows(NullPointerException.class, () -> ApiChecks.mapName(null));
    }

    @Test
    void keysAreOneTo1024BytesOfWellFormedText() {
        assertEquals("any text: / * ? é 😀 \n", ApiChecks.key("any text: / * ? é 😀 \n"));
        ApiChecks.key("k".repeat(1024));
        ApiChecks.key("€".repeat(341) + "k"); // 3 bytes each: 1023 + 1
        ApiChecks.key("😀".repeat(256)); // a surrogate pair is 4 bytes: 1024
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("k".repeat(1025))).getMessage(),
                "the key is 1025 bytes in UTF-8");
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("€".repeat(342))).getMessage(),
                "the key is 1026 bytes in UTF-8");
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("😀".repeat(256) + "x"))
                .getMessage(), "a key is 1..1024 bytes of UTF-8 text");
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("")).getMessage(),
                "the key is empty");
        // a lone surrogate becomes '?' in UTF-8: "a\uD800" and "a?" would be the same entry
        assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("a\uD800")).getMessage(),
                "unpaired surrogate at index 1");
        assertThrows(IllegalArgumentException.class, () -> ApiChecks.key("\uDC00a"));
        assertThrows(NullPointerException.class, () -> ApiChecks.key(null));
    }

    @Test
    void aMessageOverMaxMessageSaysWhichOptionToSet() {
        byte[] fits = new byte[256 * 1024];
        assertSame(fits, ApiChecks.size("message", fits, ApiChecks.DEFAULT_MAX_MESSAGE));
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> ApiChecks.size("message", new byte[256 * 1024 + 1], ApiChecks.DEFAULT_MAX_MESSAGE));
        assertEquals("message of 262145 bytes is over max-message=256k (set max-message=257k or more to allow it)",
                over.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> ApiChecks.size("value of 'k'", new byte[3 * 1024 * 1024], 2 * 1024 * 1024));
        assertEquals("value of 'k' of 3145728 bytes is over max-message=2m (set max-message=3m or more to allow it)",
                value.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> ApiChecks.size("message", new byte[8 * 1024 * 1024 + 1], ApiChecks.MAX_MAX_MESSAGE));
        assertContains(huge.getMessage(), "max-message is at most 8m: send it in parts or keep it elsewhere");
        assertEquals("message of 11 bytes is over max-message=10 (set max-message=1k or more to allow it)",
                assertThrows(IllegalArgumentException.class, () -> ApiChecks.size("message", new byte[11], 10))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> ApiChecks.size("message", null, 10));
    }

    @Test
    void aTimeToLiveIsOneMillisecondToOneHundredYears() {
        assertEquals(1, ApiChecks.ttl(Duration.ofMillis(1)));
        assertEquals(1, ApiChecks.ttl(Duration.ofNanos(1_999_999)));
        assertEquals(30_000, ApiChecks.ttl(Duration.ofSeconds(30)));
        assertEquals(Duration.ofDays(36_500).toMillis(), ApiChecks.ttl(Duration.ofDays(36_500)));
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(999_999), Duration.ofMillis(-5)}) {
            assertContains(assertThrows(IllegalArgumentException.class, () -> ApiChecks.ttl(bad)).getMessage(),
                    "is under 1ms: a time to live is 1ms..100 years");
        }
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> ApiChecks.ttl(Duration.ofSeconds(Long.MAX_VALUE))).getMessage(), "for no expiry, put without a ttl");
        assertThrows(NullPointerException.class, () -> ApiChecks.ttl(null));
    }

    static void assertContains(String text, String part) {
        if (text == null || !text.contains(part)) {
            throw new AssertionError("expected \"" + part + "\" in: " + text);
        }
    }
}
