package io.jcluster.agent.http.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseCacheTest {

    private static final byte[] HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n".getBytes(StandardCharsets.US_ASCII);

    private static StoredResponse response(String key, int bodySize, String... vary) {
        return new StoredResponse(key, null, HEAD, Unpooled.buffer(bodySize).writeZero(bodySize), 100, 101,
                vary.length == 0 ? null : vary);
    }

    @Test
    void aStoredBodyIsTheCachesOwnCopyAndTheGivenOneIsReleased() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        StoredResponse given = response("http://a/x", 1000);
        StoredResponse stored = cache.put(given);
        assertNotNull(stored);
        assertEquals(0, given.body().refCnt());
        assertTrue(stored.body().isDirect());
        assertEquals(1000, stored.body().capacity());
        assertEquals(1, cache.stats().entries());
        assertEquals(stored.weight(), cache.stats().bytes());
        cache.close();
        assertEquals(0, stored.body().refCnt());
    }

    @Test
    void weightCountsHeadBodyKeyVaryAndOverhead() {
        StoredResponse plain = response("http://a/x", 1000);
        assertEquals(StoredResponse.OVERHEAD + HEAD.length + 1000 + 2 * "http://a/x".length(), plain.weight());
        StoredResponse varied = response("http://a/x", 1000, "gzip");
        assertEquals(plain.weight() + 16 + 8, varied.weight());
        plain.body().release();
        varied.body().release();
    }

    @Test
    void aBodyOverMaxObjectIsNotStoredAndIsReleased() {
        ResponseCache cache = new ResponseCache(1 << 20, 1000);
        StoredResponse given = response("http://a/x", 1001);
        assertNull(cache.put(given));
        assertEquals(0, given.body().refCnt());
        assertEquals(0, cache.stats().entries());
        assertEquals(0, cache.stats().bytes());
    }

    @Test
    void theAccountedSizeNeverPassesTheBoundAndEvictedBodiesAreReleased() {
        long max = 16L << 20;
        ResponseCache cache = new ResponseCache(max, 1 << 20);
        List<StoredResponse> stored = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            stored.add(cache.put(response("http://a/item/" + i, 100 * 1024)));
            assertTrue(cache.stats().bytes() <= max, "after " + i + ": " + cache.stats().bytes());
        }
        cache.cleanUp();
        CacheStats stats = cache.stats();
        assertTrue(stats.bytes() <= max);
        assertTrue(stats.entries() < 170 && stats.entries() > 100, "entries " + stats.entries());
        assertEquals(2000, stats.stores());
        assertEquals(2000 - stats.entries(), stats.evictions());
        long live = stored.stream().filter(response -> response.body().refCnt() > 0).count();
        assertEquals(stats.entries(), live, "exactly the bodies of the entries the cache holds are not released");
        cache.close();
        assertEquals(0, stored.stream().filter(response -> response.body().refCnt() > 0).count());
    }

    @Test
    void aVariantReplacesOnlyTheVariantWithTheSameVaryValues() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        StoredResponse gzip = cache.put(response("http://a/x", 10, "gzip"));
        StoredResponse identity = cache.put(response("http://a/x", 10, (String) null));
        StoredResponse gzipAgain = cache.put(response("http://a/x", 20, "gzip"));
        assertEquals(0, gzip.body().refCnt(), "the replaced variant is released");
        assertEquals(1, identity.body().refCnt());
        assertEquals(1, gzipAgain.body().refCnt());
        assertEquals(2, cache.stats().entries());
        assertEquals(identity.weight() + gzipAgain.weight(), cache.stats().bytes());
        cache.close();
    }

    @Test
    void aKeyKeepsAtMostMaxVariantsTheOldestGoing() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        List<StoredResponse> stored = new ArrayList<>();
        for (int i = 0; i < Variants.MAX_VARIANTS + 5; i++) {
            stored.add(cache.put(response("http://a/x", 10, "v" + i)));
        }
        assertEquals(Variants.MAX_VARIANTS, cache.stats().entries());
        for (int i = 0; i < 5; i++) {
            assertEquals(0, stored.get(i).body().refCnt(), "variant " + i);
        }
        assertEquals(1, stored.get(stored.size() - 1).body().refCnt());
        cache.close();
    }

    @Test
    void refreshKeepsTheBodyUnderTheNewHead() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        StoredResponse stored = cache.put(response("http://a/x", 10));
        byte[] head = "HTTP/1.1 200 OK\r\netag: \"2\"\r\n".getBytes(StandardCharsets.US_ASCII);
        StoredResponse refreshed = cache.refresh(stored, null, head, 200, 201);
        assertNotNull(refreshed);
        assertSame(head, refreshed.headBytes());
        assertEquals(1, refreshed.body().refCnt(), "the old entry's reference went with it, the new one holds one");
        assertEquals(1, cache.stats().entries());
        cache.invalidate("http://a/x");
        assertEquals(0, refreshed.body().refCnt());
        assertNull(cache.refresh(stored, null, head, 300, 301), "a response gone from the cache is not refreshed");
        assertEquals(0, cache.stats().entries());
    }

    @Test
    void aHitRacingAnEvictionGetsNullNotAReleasedBuffer() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        StoredResponse stored = cache.put(response("http://a/x", 10));
        ByteBuf hit = stored.retainedBody();
        cache.invalidate("http://a/x");
        assertEquals(1, hit.refCnt(), "a hit in flight keeps the body alive");
        hit.release();
        assertNull(stored.retainedBody());
    }

    @Test
    void purgeByExactPathIgnoresTheQueryAndHost() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        cache.put(response("http://a/x", 10));
        cache.put(response("http://a/x?page=2", 10));
        cache.put(response("https://b.example:8443/x", 10, "gzip"));
        cache.put(response("https://b.example:8443/x", 10, "br"));
        cache.put(response("http://a/x/y", 10));
        cache.put(response("http://a/xy", 10));
        assertEquals(4, cache.purge("/x", false));
        assertEquals(2, cache.stats().entries());
        assertEquals(4, cache.stats().purged());
        assertEquals(0, cache.stats().evictions());
        cache.close();
    }

    @Test
    void purgeByPrefix() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        cache.put(response("http://a/img/1.png", 10));
        cache.put(response("http://a/img/2.png?v=3", 10));
        cache.put(response("http://a/img", 10));
        cache.put(response("http://a/other?x=/img/", 10));
        assertEquals(2, cache.purge("/img/", true));
        assertEquals(2, cache.stats().entries());
        assertEquals(4, cache.purge("/", true) + 2);
        assertEquals(0, cache.stats().entries());
    }

    @Test
    void theFirstToAskFillsTheOthersWaitAndAreToldTheOutcomeOnce() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        PendingFill filler = cache.fill("http://a/x");
        assertTrue(filler.filler());
        PendingFill waiting = cache.fill("http://a/x");
        assertFalse(waiting.filler());
        List<StoredResponse> told = new ArrayList<>();
        assertTrue(waiting.await(told::add));
        assertTrue(waiting.await(told::add));
        StoredResponse stored = cache.put(response("http://a/x", 10));
        filler.complete(stored);
        filler.complete(null);
        assertEquals(List.of(stored, stored), told);
        assertTrue(waiting.await(told::add), "a late waiter is told at once");
        assertEquals(3, told.size());
        assertTrue(cache.fill("http://a/x").filler(), "the next miss fills anew");
        cache.close();
    }

    @Test
    void aFillTakesAtMostMaxWaiters() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        PendingFill filler = cache.fill("http://a/x");
        PendingFill waiting = cache.fill("http://a/x");
        for (int i = 0; i < ResponseCache.MAX_WAITERS; i++) {
            assertTrue(waiting.await(stored -> { }));
        }
        assertFalse(waiting.await(stored -> { }));
        filler.complete(null);
    }

    @Test
    void anAbandonedFillIsReplacedAndItsWaitersAskAWorker() {
        AtomicLong now = new AtomicLong();
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16, now::get);
        cache.fill("http://a/x");
        List<StoredResponse> told = new ArrayList<>();
        told.add(response("http://a/marker", 1));
        assertTrue(cache.fill("http://a/x").await(told::add));
        now.addAndGet(Fills.ABANDONED_FILL_NANOS - 1);
        assertFalse(cache.fill("http://a/x").filler());
        now.addAndGet(1);
        PendingFill fresh = cache.fill("http://a/x");
        assertTrue(fresh.filler());
        assertEquals(2, told.size());
        assertNull(told.get(1));
        assertNotSame(fresh, cache.fill("http://a/y"));
    }

    @Test
    void concurrentMissesOfOneKeyMakeOneFillerAndEveryWaiterIsToldOnce() throws Exception {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        int threads = 8;
        int rounds = 200;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "http://a/" + round;
                java.util.concurrent.atomic.AtomicInteger fillers = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        PendingFill fill = cache.fill(key);
                        if (fill.filler()) {
                            fillers.incrementAndGet();
                            fill.complete(cache.put(response(key, 10)));
                        } else if (fill.await(stored -> told.incrementAndGet())) {
                            waiting.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (java.util.concurrent.Future<?> each : done) {
                    each.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertTrue(fillers.get() >= 1, "round " + round);
                assertEquals(waiting.get(), told.get(), "round " + round + ": every waiter told exactly once");
            }
        } finally {
            pool.shutdownNow();
            cache.close();
        }
    }

    @Test
    void countersAddUp() {
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        CacheCounters counters = cache.counters();
        counters.hit();
        counters.hit();
        counters.miss();
        counters.stale();
        counters.revalidated();
        counters.bypassed();
        counters.coalesced();
        CacheStats stats = cache.stats();
        assertEquals(List.of(2L, 1L, 1L, 1L, 1L, 1L, 1L << 20), List.of(stats.hits(), stats.misses(), stats.stale(),
                stats.revalidated(), stats.bypassed(), stats.coalesced(), stats.maxBytes()));
    }

    @Test
    void pathMatching() {
        assertTrue(KeyPath.matches("http://a/x?y", "/x", false));
        assertFalse(KeyPath.matches("http://a/x/?y", "/x", false));
        assertTrue(KeyPath.matches("http://a/x/?y", "/x", true));
        // a trusted proxy's forwarding fields follow the target in the key (CacheRequest#key): not part of the path
        assertTrue(KeyPath.matches("http://a/x\nx-forwarded-proto:https", "/x", false));
        assertTrue(KeyPath.matches("http://a/x\nx-forwarded-prefix:/p?q", "/x", false));
        assertFalse(KeyPath.matches("http://a/x\nx-forwarded-prefix:/p?q", "/x\nx", true));
        assertFalse(KeyPath.matches("http://a?/x", "/x", true));
        assertFalse(KeyPath.matches("http://a", "/", true));
    }
}
