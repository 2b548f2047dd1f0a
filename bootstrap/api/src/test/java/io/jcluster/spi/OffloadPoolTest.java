package io.jcluster.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static io.jcluster.spi.ApiChecksTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffloadPoolTest {

    private final List<OffloadPool> pools = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stopPools() {
        release.countDown();
        pools.forEach(OffloadPool::stop);
    }

    @Test
    void aFullQueueRejectsAtOnceAndCounts() throws Exception {
        OffloadPool pool = pool(2);
        CountDownLatch running = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.executor().execute(() -> {
                running.countDown();
                await(release);
            });
        }
        assertTrue(running.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 2 * 64; i++) {
            pool.executor().execute(() -> { });
        }
        assertEquals(2, pool.threads());
        assertEquals(2, pool.busy());
        assertEquals(128, pool.queued());
        assertEquals(0, pool.rejected());

        RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
                () -> pool.executor().submit(() -> 42));
        assertContains(full.getMessage(), "offload queue full (128 tasks waiting on 2 threads)");
        assertThrows(RejectedExecutionException.class, () -> pool.executor().execute(() -> { }));
        assertEquals(2, pool.rejected());

        release.countDown();
        Future<Integer> later = submitWhenThereIsRoom(pool);
        assertEquals(42, later.get(10, TimeUnit.SECONDS));
        waitFor(() -> pool.busy() == 0 && pool.queued() == 0);
    }

    @Test
    void theProcessOwnsThePool() throws Exception {
        ExecutorService executor = pool(1).executor();
        assertContains(assertThrows(UnsupportedOperationException.class, executor::shutdown).getMessage(),
                "Cluster.offload().shutdown(): the offload pool belongs to the process");
        assertThrows(UnsupportedOperationException.class, executor::shutdownNow);
        // ExecutorService.close() exists from Java 19: found by name so that this compiles for 17
        Method close = executor.getClass().getMethod("close");
        close.setAccessible(true);
        InvocationTargetException closed = assertThrows(InvocationTargetException.class, () -> close.invoke(executor));
        assertInstanceOf(UnsupportedOperationException.class, closed.getCause());
        assertFalse(executor.isShutdown());
        assertEquals("still here", executor.submit(() -> "still here").get(10, TimeUnit.SECONDS));
        assertFalse(executor.awaitTermination(1, TimeUnit.MILLISECONDS));
    }

    @Test
    void threadsAreNamedDaemonsAndSurviveFailingTasks() throws Exception {
        OffloadPool pool = pool(1);
        Future<?> failing = pool.executor().submit(() -> {
            throw new IllegalStateException("task failed");
        });
        assertThrows(Exception.class, () -> failing.get(10, TimeUnit.SECONDS));
        pool.executor().execute(() -> {
            throw new IllegalStateException("uncaught, on purpose");
        });
        Thread thread = pool.executor().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        assertTrue(thread.getName().startsWith("jcluster-offload-"), thread.getName());
        assertTrue(thread.isDaemon());
        waitFor(() -> pool.busy() == 0);
        assertEquals(1, pool.threads());
    }

    @Test
    void aPoolHasAtLeastOneThread() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> OffloadPool.create(0)).getMessage(),
                "at least 1 thread");
    }

    private OffloadPool pool(int threads) {
        OffloadPool pool = OffloadPool.create(threads);
        pools.add(pool);
        return pool;
    }

    private static Future<Integer> submitWhenThereIsRoom(OffloadPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return pool.executor().submit(() -> 42);
            } catch (RejectedExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(2);
        }
    }
}
