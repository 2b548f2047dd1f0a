package io.jcluster.agent.cluster.embedded;

import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded store on a fake clock, with Caffeine's maintenance on the calling thread. */
class EmbeddedStoreTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final EmbeddedStore store = new EmbeddedStore(64L << 20, Runnable::run, nanos::get);
    private final SharedMaps maps = store.maps();

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T now(CompletableFuture<T> future) {
        assertTrue(future.isDone(), "an embedded store's futures are complete when returned");
        return future.join();
    }

    private String text(String map, String key) {
        byte[] value = now(maps.get(map, key));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertTrue(future.isCompletedExceptionally(), "failed at once");
        return assertThrows(CompletionException.class, future::join).getCause();
    }

    @Test
    void itIsEmbeddedAndAlwaysUp() {
        assertEquals("embedded", store.kind());
        assertEquals(new Store.Health(true, "in the parent"), store.health());
    }

    @Test
    void getOfAnAbsentKeyIsNull() {
        assertNull(now(maps.get("m", "nothing")));
    }

    @Test
    void putThenGetAndPutReplaces() {
        now(maps.put("m", "k", bytes("one"), 0));
        assertEquals("one", text("m", "k"));
        now(maps.put("m", "k", bytes("two"), 0));
        assertEquals("two", text("m", "k"));
        assertEquals(1, maps.entries());
    }

    @Test
    void mapsAreSeparate() {
        now(maps.put("a", "k", bytes("in a"), 0));
        now(maps.put("b", "k", bytes("in b"), 0));
        assertEquals("in a", text("a", "k"));
        assertEquals("in b", text("b", "k"));
        assertTrue(now(maps.remove("a", "k")));
        assertNull(text("a", "k"));
        assertEquals("in b", text("b", "k"));
        // the pair is the key: ("a:b", "c") and ("a", "b:c") are different entries
        now(maps.put("a:b", "c", bytes("1"), 0));
        assertNull(text("a", "b:c"));
    }

    @Test
    void anEntryWithATimeToLiveExpiresOnTheClock() {
        now(maps.put("m", "k", bytes("v"), 1000));
        advanceMillis(999);
        assertEquals("v", text("m", "k"));
        advanceMillis(1);
        assertNull(text("m", "k"));
        assertEquals(0, maps.entries(), "expired entries are not counted");
    }

    @Test
    void anEntryWithoutATimeToLiveNeverExpires() {
        now(maps.put("m", "k", bytes("v"), 0));
        advanceMillis(TimeUnit.DAYS.toMillis(365 * 100));
        assertEquals("v", text("m", "k"));
    }

    @Test
    void aTimeToLiveOfCenturiesDoesNotOverflowTheClock() {
        now(maps.put("m", "k", bytes("v"), Long.MAX_VALUE));
        advanceMillis(TimeUnit.DAYS.toMillis(365 * 50));
        assertEquals("v", text("m", "k"));
        now(maps.increment("m", "n", 1));
        now(maps.put("m", "n", bytes("5"), Long.MAX_VALUE / 2));
        assertEquals(6, now(maps.increment("m", "n", 1)));
    }

    @Test
    void putReplacesTheTimeToLive() {
        now(maps.put("m", "k", bytes("v"), 1000));
        now(maps.put("m", "k", bytes("w"), 0));
        advanceMillis(5000);
        assertEquals("w", text("m", "k"), "the second put has no time to live");
        now(maps.put("m", "k", bytes("x"), 100));
        advanceMillis(100);
        assertNull(text("m", "k"), "a put with a time to live sets it afresh");
    }

    @Test
    void aNegativeTimeToLiveFails() {
        assertInstanceOf(IllegalArgumentException.class, failure(maps.put("m", "k", bytes("v"), -1)));
        assertInstanceOf(IllegalArgumentException.class, failure(maps.putIfAbsent("m", "k", bytes("v"), -1)));
        assertNull(text("m", "k"));
    }

    @Test
    void putIfAbsentStoresOnlyWhenAbsent() {
        assertTrue(now(maps.putIfAbsent("m", "k", bytes("first"), 0)));
        assertFalse(now(maps.putIfAbsent("m", "k", bytes("second"), 0)));
        assertEquals("first", text("m", "k"));
    }

    @Test
    void putIfAbsentTakesTheKeyOfAnExpiredEntryWithItsOwnTimeToLive() {
        now(maps.put("m", "k", bytes("old"), 10));
        advanceMillis(10);
        assertTrue(now(maps.putIfAbsent("m", "k", bytes("new"), 500)));
        assertEquals("new", text("m", "k"));
        advanceMillis(500);
        assertNull(text("m", "k"));
    }

    @Test
    void removeSaysWhetherThereWasAnEntry() {
        now(maps.put("m", "k", bytes("v"), 0));
        assertTrue(now(maps.remove("m", "k")));
        assertNull(text("m", "k"));
        assertFalse(now(maps.remove("m", "k")));
        now(maps.put("m", "e", bytes("v"), 10));
        advanceMillis(10);
        assertFalse(now(maps.remove("m", "e")), "an expired entry is no entry");
    }

    @Test
    void compareAndSetSwapsOnlyWhatItExpects() {
        now(maps.put("m", "k", bytes("a"), 0));
        assertFalse(now(maps.compareAndSet("m", "k", bytes("b"), bytes("c"))));
        assertEquals("a", text("m", "k"));
        assertTrue(now(maps.compareAndSet("m", "k", bytes("a"), bytes("c"))), "compares contents, not arrays");
        assertEquals("c", text("m", "k"));
        assertFalse(now(maps.compareAndSet("m", "absent", bytes("a"), bytes("c"))), "absent is not 'a'");
        assertNull(text("m", "absent"));
    }

    @Test
    void compareAndSetWithNullExpectedCreatesOnlyWhenAbsent() {
        assertTrue(now(maps.compareAndSet("m", "k", null, bytes("created"))));
        assertEquals("created", text("m", "k"));
        assertFalse(now(maps.compareAndSet("m", "k", null, bytes("again"))));
        assertEquals("created", text("m", "k"));
        advanceMillis(TimeUnit.DAYS.toMillis(1000));
        assertEquals("created", text("m", "k"), "created without a time to live");
    }

    @Test
    void compareAndSetKeepsTheRemainingTimeToLive() {
        now(maps.put("m", "k", bytes("a"), 1000));
        advanceMillis(600);
        assertTrue(now(maps.compareAndSet("m", "k", bytes("a"), bytes("b"))));
        advanceMillis(399);
        assertEquals("b", text("m", "k"));
        advanceMillis(1);
        assertNull(text("m", "k"), "expires 1000 ms after the put, not after the swap");
    }

    @Test
    void compareAndSetSeesAnExpiredEntryAsAbsent() {
        now(maps.put("m", "k", bytes("a"), 10));
        advanceMillis(10);
        assertFalse(now(maps.compareAndSet("m", "k", bytes("a"), bytes("b"))));
        assertNull(text("m", "k"));
        assertTrue(now(maps.compareAndSet("m", "k", null, bytes("c"))));
        advanceMillis(TimeUnit.DAYS.toMillis(1));
        assertEquals("c", text("m", "k"), "the new entry does not inherit the expired one's time to live");
    }

    @Test
    void incrementCountsFromZeroAndStoresDecimalText() {
        assertEquals(5, now(maps.increment("m", "n", 5)));
        assertEquals("5", text("m", "n"));
        assertEquals(-2, now(maps.increment("m", "n", -7)));
        assertEquals("-2", text("m", "n"));
        assertEquals(-2, now(maps.increment("m", "n", 0)));
    }

    @Test
    void incrementReadsWhatPutStored() {
        now(maps.put("m", "n", bytes("41"), 0));
        assertEquals(42, now(maps.increment("m", "n", 1)));
        now(maps.put("m", "n", bytes("-9223372036854775808"), 0));
        assertEquals(Long.MIN_VALUE + 1, now(maps.increment("m", "n", 1)));
    }

    @Test
    void incrementKeepsTheRemainingTimeToLive() {
        now(maps.put("m", "n", bytes("1"), 1000));
        advanceMillis(700);
        assertEquals(2, now(maps.increment("m", "n", 1)));
        advanceMillis(299);
        assertEquals("2", text("m", "n"));
        advanceMillis(1);
        assertNull(text("m", "n"));
        assertEquals(1, now(maps.increment("m", "n", 1)), "after expiry it counts from 0 again");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "+5", "05", " 5", "5 ", "-0", "1.5", "1e3", "٣", "9223372036854775808",
            "99999999999999999999", "-", "-9223372036854775809", "-99999999999999999999", "18446744073709551616",
            "0x10", "1_000", "\u0000"})
    void incrementOfSomethingThatIsNotANumberFailsAndLeavesIt(String value) {
        now(maps.put("m", "k", bytes(value), 0));
        Throwable failure = failure(maps.increment("m", "k", 1));
        assertInstanceOf(StoreException.class, failure);
        assertEquals("shared map 'm': the value of 'k' is not a number: increment needs one (decimal text)",
                failure.getMessage());
        assertEquals(value, text("m", "k"));
    }

    @Test
    void decimalTextRoundTripsEveryEdge() {
        for (long number : new long[] {0, 1, -1, 9, 10, -10, 99, 100, 999_999_999_999_999_999L,
                1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 4711, -4711}) {
            byte[] text = DecimalText.decimal(number);
            assertEquals(Long.toString(number), new String(text, StandardCharsets.US_ASCII));
            assertEquals(number, DecimalText.parseDecimal(text));
        }
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("-")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("-9223372036854775809")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("00")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("-05")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("12a")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("1/")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("1:")));
        assertThrows(NumberFormatException.class, () -> DecimalText.parseDecimal(bytes("1".repeat(21))));
    }

    @Test
    void incrementOfBinaryBytesFails() {
        now(maps.put("m", "k", new byte[] {(byte) 0xff, 0, '1'}, 0));
        assertInstanceOf(StoreException.class, failure(maps.increment("m", "k", 1)));
    }

    @Test
    void incrementPastALongFailsAndLeavesTheValue() {
        now(maps.put("m", "max", bytes(Long.toString(Long.MAX_VALUE)), 0));
        Throwable up = failure(maps.increment("m", "max", 1));
        assertInstanceOf(StoreException.class, up);
        assertEquals("shared map 'm': incrementing 'max' (9223372036854775807) by 1 overflows a 64-bit number",
                up.getMessage());
        assertEquals(Long.toString(Long.MAX_VALUE), text("m", "max"));
        now(maps.put("m", "min", bytes(Long.toString(Long.MIN_VALUE)), 0));
        assertInstanceOf(StoreException.class, failure(maps.increment("m", "min", -1)));
        assertEquals(Long.toString(Long.MIN_VALUE), text("m", "min"));
        assertEquals(Long.MIN_VALUE, now(maps.increment("m", "absent", Long.MIN_VALUE)), "from 0 any delta fits");
    }

    @Test
    void incrementsFromManyThreadsAreExact() throws Exception {
        int threads = 8;
        int each = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        maps.increment("counters", "visits", 1).join();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Integer.toString(threads * each), text("counters", "visits"));
    }

    @Test
    void exactlyOneOfManyRacingPutIfAbsentWins() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                String key = "lock-" + round;
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger winners = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    byte[] mine = bytes("owner-" + t);
                    done.add(pool.submit(() -> {
                        start.await();
                        if (maps.putIfAbsent("locks", key, mine, 0).join()) {
                            winners.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get(60, TimeUnit.SECONDS);
                }
                assertEquals(1, winners.get(), key);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void compareAndSetLoopsFromManyThreadsLoseNoUpdate() throws Exception {
        int threads = 4;
        int each = 2_000;
        now(maps.put("m", "n", bytes("0"), 0));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            byte[] seen = maps.get("m", "n").join();
                            byte[] next = bytes(Long.toString(Long.parseLong(new String(seen,
                                    StandardCharsets.US_ASCII)) + 1));
                            if (maps.compareAndSet("m", "n", seen, next).join()) {
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Integer.toString(threads * each), text("m", "n"));
    }

    @Test
    void bytesCountKeyMapNameValueAndTheOverhead() {
        assertEquals(0, maps.bytes());
        now(maps.put("map", "key1", new byte[100], 0));
        assertEquals(EmbeddedStore.ENTRY_OVERHEAD + 3 + 4 + 100, maps.bytes());
        now(maps.put("map", "key1", new byte[10], 0));
        assertEquals(EmbeddedStore.ENTRY_OVERHEAD + 3 + 4 + 10, maps.bytes(), "a replaced value is weighed afresh");
        now(maps.increment("map", "n", 12345));
        assertEquals(2L * EmbeddedStore.ENTRY_OVERHEAD + 7 + 10 + 4 + 5, maps.bytes());
        now(maps.remove("map", "key1"));
        now(maps.remove("map", "n"));
        assertEquals(0, maps.bytes());
        assertEquals(0, maps.evictions(), "removing is not evicting");
    }

    @Test
    void textIsWeighedAsTheHeapHoldsIt() {
        assertEquals(3, EmbeddedStore.textBytes("abc"));
        assertEquals(3, EmbeddedStore.textBytes("äbc"), "Latin-1: one byte a character");
        assertEquals(6, EmbeddedStore.textBytes("a€c"), "beyond Latin-1: UTF-16");
        now(maps.put("m", "日本", new byte[1], 0));
        assertEquals(EmbeddedStore.ENTRY_OVERHEAD + 1 + 4 + 1, maps.bytes());
    }

    @Test
    void storeSizeBoundsTheBytesHeldThroughTenThousandValues() {
        long size = 1L << 20;
        EmbeddedStore small = new EmbeddedStore(size, Runnable::run, nanos::get);
        SharedMaps bounded = small.maps();
        int puts = 10_000;
        for (int i = 0; i < puts; i++) {
            now(bounded.put("cache", "page-" + i, new byte[1024], 0));
            assertTrue(bounded.bytes() <= size, "after put " + i + ": " + bounded.bytes() + " bytes > " + size);
        }
        long entries = bounded.entries();
        long perEntry = EmbeddedStore.ENTRY_OVERHEAD + "cache".length() + "page-0000".length() + 1024;
        assertTrue(entries > 0 && entries <= size / (perEntry - 4), entries + " entries");
        assertTrue(entries >= size / perEntry / 2, "the store is used, not emptied: " + entries + " entries");
        assertEquals(puts, entries + bounded.evictions(), "every entry not held was evicted for size, and counted");
    }

    @Test
    void entriesAndEvictionsAreCountedPerMap() {
        EmbeddedStore small = new EmbeddedStore(1L << 20, Runnable::run, nanos::get);
        SharedMaps bounded = small.maps();
        now(bounded.put("jcluster.sessions", "/ A1", new byte[10], 0));
        now(bounded.put("jcluster.sessions", "/ B2", new byte[10], 60_000));
        now(bounded.put("other", "/ A1", new byte[10], 0));
        assertEquals(2, bounded.entries("jcluster.sessions"));
        assertEquals(1, bounded.entries("other"));
        assertEquals(0, bounded.entries("none"));
        now(bounded.remove("jcluster.sessions", "/ A1"));
        assertEquals(1, bounded.entries("jcluster.sessions"));
        advanceMillis(62_000);
        assertEquals(0, bounded.entries("jcluster.sessions"), "an expired record is no longer held");
        assertEquals(0, bounded.evictions("jcluster.sessions"), "removed and expired: not evicted");

        int puts = 3_000;
        for (int i = 0; i < puts; i++) {
            now(bounded.put(i % 2 == 0 ? "jcluster.sessions" : "cache", "k" + i, new byte[1024], 0));
        }
        long sessions = bounded.entries("jcluster.sessions");
        long cached = bounded.entries("cache");
        long other = bounded.entries("other");
        assertEquals(bounded.entries(), sessions + cached + other, "each entry counted in its own map");
        assertEquals(puts / 2, sessions + bounded.evictions("jcluster.sessions"),
                "every session not held was evicted for size, and counted for its map");
        assertEquals(puts / 2, cached + bounded.evictions("cache"));
        assertEquals(1, other + bounded.evictions("other"));
        assertEquals(bounded.evictions(), bounded.evictions("jcluster.sessions") + bounded.evictions("cache")
                + bounded.evictions("other"));
        assertTrue(bounded.evictions("jcluster.sessions") > 0);
        assertEquals(0, bounded.evictions("none"));
    }

    @Test
    void aValueOfMaxMessageFitsInTheSmallestStoreTheOptionsAllow() {
        int maxMessage = 256 << 10;
        // store-size >= max-message + 4k (OptionParser): the largest value with the longest key and map name
        EmbeddedStore smallest = new EmbeddedStore(maxMessage + 4096, Runnable::run, nanos::get);
        String map = "m".repeat(200);
        String key = "\u0101".repeat(512); // 1024 UTF-8 bytes, 1024 heap bytes
        now(smallest.maps().put(map, key, new byte[maxMessage], 0));
        now(smallest.maps().put("m", "k", new byte[1], 0));
        assertEquals(maxMessage, now(smallest.maps().get(map, key)).length);
        assertTrue(smallest.maps().bytes() <= maxMessage + 4096);
    }

    @Test
    void expiryIsNotCountedAsEviction() {
        now(maps.put("m", "k", bytes("v"), 10));
        // Caffeine's timer wheel removes an unread expired entry when its bucket (about 1.07 s) has passed
        advanceMillis(2000);
        assertEquals(0, maps.entries());
        assertEquals(0, maps.evictions());
        assertEquals(0, maps.bytes());
    }

    @Test
    void maintenanceRunsOnTheGivenExecutorNotTheCommonPool() {
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean elsewhere = new AtomicBoolean();
        Thread caller = Thread.currentThread();
        EmbeddedStore counted = new EmbeddedStore(64 << 10, task -> {
            runs.incrementAndGet();
            elsewhere.compareAndSet(false, Thread.currentThread() != caller);
            task.run();
        }, nanos::get);
        for (int i = 0; i < 1000; i++) {
            now(counted.maps().put("m", "k" + i, new byte[100], 0));
        }
        assertTrue(counted.maps().bytes() <= 64 << 10);
        assertTrue(runs.get() > 0, "Caffeine's maintenance went through the given executor");
        assertFalse(elsewhere.get());
    }

    @Test
    void openTakesItsBoundFromTheOptions() throws Exception {
        io.jcluster.agent.config.StoreOptions options = new io.jcluster.agent.config.StoreOptions(
                io.jcluster.agent.config.StoreLocation.EMBEDDED, 300_000, java.time.Duration.ofSeconds(5), 1024, null);
        try (EmbeddedStore opened = EmbeddedStore.open(options)) {
            for (int i = 0; i < 1000; i++) {
                now(opened.maps().put("m", "k" + i, new byte[1000], 0));
            }
            assertTrue(opened.maps().bytes() <= 300_000, opened.maps().bytes() + " bytes");
            assertTrue(opened.maps().evictions() > 0);
        }
    }

    @Test
    void closeDropsEverything() {
        now(maps.put("m", "k", bytes("v"), 0));
        store.close();
        assertEquals(0, maps.entries());
        assertNull(text("m", "k"));
    }

    @Test
    void aPublishedMessageIsDeliveredAtOnceOnTheCallersThread() {
        List<String> delivered = new ArrayList<>();
        Thread caller = Thread.currentThread();
        byte[] message = bytes("hello");
        store.messages().deliverTo((topic, bytes, from) -> {
            assertSame(caller, Thread.currentThread());
            assertTrue(bytes == message || !delivered.isEmpty(), "handed on as it is, not copied");
            delivered.add(topic + "/" + new String(bytes, StandardCharsets.UTF_8) + "/" + from);
        });
        store.messages().publish("chat", message, 3);
        store.messages().publish("chat", bytes("again"), 1);
        assertEquals(List.of("chat/hello/3", "chat/again/1"), delivered);
        assertEquals(0, store.messages().dropped());
    }

    @Test
    void publishingBeforeASinkIsSetIsAWiringError() {
        MessageBus bus = new EmbeddedStore(1 << 20, Runnable::run, nanos::get).messages();
        assertThrows(IllegalStateException.class, () -> bus.publish("t", new byte[1], 0));
    }

    @Test
    void theHostHoldsTheLeaseAtOnce() {
        List<Boolean> told = new ArrayList<>();
        store.lease().start(told::add);
        assertEquals(List.of(true), told);
        store.lease().close();
        assertEquals(List.of(true), told, "closing tells nothing: the parent is going away");
    }

    @Test
    void aValueIsReturnedAsStored() {
        byte[] value = {0, 1, 2, (byte) 255};
        now(maps.put("m", "k", value, 0));
        assertArrayEquals(value, now(maps.get("m", "k")));
    }
}
