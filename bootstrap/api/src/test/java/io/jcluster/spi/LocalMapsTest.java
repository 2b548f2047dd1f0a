package io.jcluster.spi;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.jcluster.spi.ApiChecksTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalMapsTest {

    /** Starts far from 0 and near the sign change, so that expiry must compare nanoTime values by difference. */
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(1));
    private final LocalMaps maps = new LocalMaps(now::get, 64L * 1024 * 1024, 256 * 1024);
    private final SharedMap map = maps.map("m");

    @Test
    void putReplacesAndGetReturnsACopy() {
        assertNull(map.get("k"));
        byte[] value = bytes("one");
        map.put("k", value);
        value[0] = 'X';
        assertEquals("one", map.getString("k"), "changing the array after put changes nothing stored");
        map.get("k")[0] = 'Y';
        assertEquals("one", map.getString("k"), "changing the array get returned changes nothing stored");
        map.put("k", "two");
        assertEquals("two", map.getString("k"));
        assertEquals("m", map.name());
    }

    @Test
    void mapsOfDifferentNamesAreApart() {
        maps.map("a").put("k", "in a");
        maps.map("b").put("k", "in b");
        assertEquals("in a", maps.map("a").getString("k"));
        assertEquals("in b", maps.map("b").getString("k"));
        assertEquals("in a", maps.map("a").getString("k"), "a new view of the same name sees the same entries");
    }

    @Test
    void anEntryExpiresAfterItsTimeToLive() {
        map.put("k", "v", Duration.ofMillis(100));
        advance(99);
        assertEquals("v", map.getString("k"));
        assertEquals(1, maps.entries());
        advance(1);
        assertNull(map.get("k"));
        assertEquals(0, maps.entries(), "an expired entry is dropped when touched");
        assertEquals(0, maps.bytes());
    }

    @Test
    void putReplacesTheTimeToLiveToo() {
        map.put("k", "v", Duration.ofMillis(10));
        map.put("k", "forever");
        advance(TimeUnit.DAYS.toMillis(1));
        assertEquals("forever", map.getString("k"));
        map.put("k", "short", Duration.ofMillis(10));
        advance(10);
        assertNull(map.get("k"));
    }

    @Test
    void putIfAbsentStoresOnlyWhenThereIsNoLiveValue() {
        assertTrue(map.putIfAbsent("k", "first"));
        assertFalse(map.putIfAbsent("k", "second"));
        assertEquals("first", map.getString("k"));
        assertTrue(map.putIfAbsent("t", "expiring", Duration.ofMillis(5)));
        assertFalse(map.putIfAbsent("t", "again", Duration.ofMillis(5)));
        advance(5);
        assertTrue(map.putIfAbsent("t", bytes("after expiry"), null), "an expired value is no value");
        advance(TimeUnit.DAYS.toMillis(1));
        assertEquals("after expiry", map.getString("t"), "a null ttl means no expiry");
    }

    @Test
    void removeSaysWhetherThereWasAValue() {
        assertFalse(map.remove("k"));
        map.put("k", "v");
        assertTrue(map.remove("k"));
        assertNull(map.get("k"));
        assertFalse(map.remove("k"));
        map.put("t", "v", Duration.ofMillis(1));
        advance(1);
        assertFalse(map.remove("t"), "an expired value is no value");
        assertEquals(0, maps.bytes());
    }

    @Test
    void compareAndSetReplacesOnlyTheExpectedValueAndKeepsTheTimeToLive() {
        assertFalse(map.compareAndSet("k", "x", "y"), "no value is not 'x'");
        assertNull(map.get("k"));
        assertTrue(map.compareAndSet("k", null, "first"), "null expects no value");
        assertFalse(map.compareAndSet("k", null, "second"));
        assertFalse(map.compareAndSet("k", "other", "second"));
        assertTrue(map.compareAndSet("k", "first", "second"));
        assertEquals("second", map.getString("k"));

        map.put("t", "a", Duration.ofMillis(100));
        advance(60);
        assertTrue(map.compareAndSet("t", "a", "b"));
        advance(39);
        assertEquals("b", map.getString("t"));
        advance(1);
        assertNull(map.get("t"), "the entry kept its first expiry");
        assertTrue(map.compareAndSet("t", (byte[]) null, bytes("c")), "an expired value counts as none");
        assertThrows(NullPointerException.class, () -> map.compareAndSet("k", bytes("second"), null));
    }

    @Test
    void incrementCountsInDecimalTextAndKeepsTheTimeToLive() {
        assertEquals(1, map.increment("n"));
        assertEquals(6, map.increment("n", 5));
        assertEquals(-4, map.increment("n", -10));
        assertArrayEquals(bytes("-4"), map.get("n"), "stored as INCRBY stores it");
        assertEquals(-4, map.getLong("n"));
        assertEquals(0, map.getLong("absent"));

        map.put("c", "41", Duration.ofMillis(100));
        advance(50);
        assertEquals(42, map.increment("c"));
        advance(50);
        assertNull(map.get("c"), "increment kept the expiry");
        assertEquals(7, map.increment("c", 7), "an expired value counts as 0");
    }

    @Test
    void incrementRefusesWhatIsNotANumber() {
        for (String notANumber : new String[] {"abc", "", " 1", "1.5", "+1", "007", "-0", "99999999999999999999"}) {
            map.put("k", notANumber);
            ClusterException e = assertThrows(ClusterException.class, () -> map.increment("k"), notANumber);
            assertContains(e.getMessage(), "shared map 'm': the value of 'k' is not a number");
            assertEquals(notANumber, map.getString("k"), "unchanged");
        }
        map.put("k", Long.toString(Long.MAX_VALUE));
        assertContains(assertThrows(ClusterException.class, () -> map.increment("k")).getMessage(),
                "would overflow a 64-bit number");
        assertEquals(Long.MAX_VALUE, map.getLong("k"));
        map.put("k", "-9223372036854775808");
        assertEquals(Long.MIN_VALUE + 1, map.increment("k"));
    }

    @Test
    void badNamesKeysValuesAndTimesToLiveAreRefusedWithTheRule() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> maps.map("no spaces")).getMessage(),
                "a map name is 1..200 characters");
        assertContains(assertThrows(IllegalArgumentException.class, () -> map.get("")).getMessage(), "the key is empty");
        assertThrows(IllegalArgumentException.class, () -> map.put("k".repeat(1025), "v"));
        assertThrows(IllegalArgumentException.class, () -> map.increment("k".repeat(1025), 1));
        assertThrows(IllegalArgumentException.class, () -> map.remove("k".repeat(1025)));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> map.put("k", new byte[256 * 1024 + 1]));
        assertEquals("value of 'k' of 262145 bytes is over max-message=256k (set max-message=257k or more to allow it)",
                big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent("k", new byte[256 * 1024 + 1]));
        assertThrows(IllegalArgumentException.class, () -> map.compareAndSet("k", null, new byte[256 * 1024 + 1]));
        map.put("k", new byte[256 * 1024]);
        assertContains(assertThrows(IllegalArgumentException.class, () -> map.put("t", "v", Duration.ZERO))
                .getMessage(), "under 1ms");
        assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent("t", "v", Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> map.put("k", (byte[]) null));
        assertThrows(NullPointerException.class, () -> map.put("k", bytes("v"), null));
        assertNull(map.get("t"), "nothing was stored by a refused call");
    }

    @Test
    void theLeastRecentlyUsedEntryIsEvictedWhenOverStoreSize() {
        // each entry weighs its key's UTF-8 bytes plus its value's: "k0" + 8 bytes = 10
        LocalMaps small = new LocalMaps(now::get, 100, 256 * 1024);
        SharedMap m = small.map("m");
        for (int i = 0; i < 10; i++) {
            m.put("k" + i, new byte[8]);
        }
        assertEquals(100, small.bytes());
        assertEquals(10, small.entries());
        assertEquals(0, small.evictions());
        m.get("k0");
        m.put("k10", new byte[7]); // "k10" is 3 bytes
        assertEquals(1, small.evictions());
        assertNull(m.get("k1"), "the least recently used entry went");
        assertTrue(m.get("k0") != null, "reading an entry made it recently used");
        assertEquals(100, small.bytes());

        m.put("k0", new byte[28]); // 10 -> 30 bytes: two more must go (k2 and k3)
        assertEquals(3, small.evictions());
        assertNull(m.get("k2"));
        assertNull(m.get("k3"));
        assertEquals(100, small.bytes());
        m.put("big", new byte[200]);
        assertEquals(0, small.bytes(), "an entry larger than the whole store is not kept");
        assertNull(m.get("big"));
    }

    @Test
    void weightsFollowReplacementsAndRemovals() {
        map.put("ké", new byte[10]); // 3 bytes of key
        assertEquals(13, maps.bytes());
        map.put("ké", new byte[2]);
        assertEquals(5, maps.bytes());
        map.increment("n", 12345); // "n" + "12345"
        assertEquals(11, maps.bytes());
        map.remove("ké");
        assertEquals(6, maps.bytes());
    }

    @Test
    void operationsAreAtomicAcrossThreads() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    map.increment("counter");
                    String key = "slot" + (i % 8);
                    map.putIfAbsent(key, "0");
                    while (true) {
                        String seen = map.getString(key);
                        if (map.compareAndSet(key, seen, Long.toString(Long.parseLong(seen) + 1))) {
                            break;
                        }
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(thread.isAlive());
        }
        assertEquals(40_000, map.getLong("counter"));
        long sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += map.getLong("slot" + i);
        }
        assertEquals(40_000, sum);
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
