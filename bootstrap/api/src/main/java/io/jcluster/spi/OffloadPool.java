package io.jcluster.spi;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's pool for CPU-heavy work ({@link io.jcluster.Cluster#offload()}): a fixed number of platform daemon
 * threads "jcluster-offload-N" (this process's share of the processors) in front of a bounded queue of
 * {@code threads * 64} tasks. A task submitted while the queue is full is rejected at once with a
 * {@link RejectedExecutionException} that says so, and counted, rather than queued without bound: an app under more
 * load than its processors can serve should shed it (answer 503), not pile up memory and latency.
 *
 * <p>The pool belongs to the process, not to the caller: {@link #executor()}'s {@code shutdown}, {@code shutdownNow}
 * and {@code close} throw {@link UnsupportedOperationException}. Its threads are daemons, so it never keeps the JVM
 * alive.
 */
public final class OffloadPool {

    /** Queue slots per thread: enough to ride out a burst, small enough that a backlog is seen and shed. */
    static final int QUEUE_PER_THREAD = 64;

    private final Pool pool;
    private final ExecutorService executor;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    private OffloadPool(int threads) {
        this.pool = new Pool(threads);
        this.executor = new ProcessOwnedExecutor();
    }

    /** A pool of {@code threads} threads (at least 1) and a queue of {@code threads * 64} tasks. */
    public static OffloadPool create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("an offload pool needs at least 1 thread, not " + threads);
        }
        return new OffloadPool(threads);
    }

    /** The pool as an executor the app may submit to (but not shut down). */
    public ExecutorService executor() {
        return executor;
    }

    /** How many threads the pool has. */
    public int threads() {
        return pool.getMaximumPoolSize();
    }

    /** How many threads are running a task now. */
    public int busy() {
        return busy.get();
    }

    /** How many tasks wait in the queue now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** How many tasks were rejected because the queue was full, since the pool was created. */
    public long rejected() {
        return rejected.get();
    }

    /** Stops the pool's threads: for tests, which create many pools; the process's pool lives as long as it does. */
    void stop() {
        pool.shutdownNow();
    }

    private final class Pool extends ThreadPoolExecutor {

        Pool(int threads) {
            super(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD),
                    new OffloadThreads(), new CountingRejection());
        }

        @Override
        protected void beforeExecute(Thread thread, Runnable task) {
            busy.incrementAndGet();
        }

        @Override
        protected void afterExecute(Runnable task, Throwable failure) {
            busy.decrementAndGet();
        }
    }

    private final class CountingRejection implements RejectedExecutionHandler {

        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
            if (executor.isShutdown()) {
                throw new RejectedExecutionException("the offload pool is stopped");
            }
            rejected.incrementAndGet();
            throw new RejectedExecutionException("offload queue full (" + executor.getQueue().size()
                    + " tasks waiting on " + executor.getMaximumPoolSize() + " threads): the offload pool holds "
                    + "this process's share of the processors and they are all busy; submit less at once, or shed "
                    + "the load (e.g. answer 503) and try again later");
        }
    }

    private static final class OffloadThreads implements ThreadFactory {

        private final AtomicInteger next = new AtomicInteger(1);

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "jcluster-offload-" + next.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Runs tasks on the pool; refuses to stop it, since other code of the process shares it. */
    private final class ProcessOwnedExecutor extends AbstractExecutorService {

        @Override
        public void execute(Runnable task) {
            pool.execute(task);
        }

        @Override
        public void shutdown() {
            throw refused("shutdown");
        }

        @Override
        public List<Runnable> shutdownNow() {
            throw refused("shutdownNow");
        }

        /** {@code ExecutorService.close()} (Java 19+) would shut the pool down and wait: refused like shutdown. */
        public void close() {
            throw refused("close");
        }

        @Override
        public boolean isShutdown() {
            return pool.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return pool.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return pool.awaitTermination(timeout, unit);
        }

        @Override
        public String toString() {
            return "jcluster offload pool (" + threads() + " threads, " + busy() + " busy, " + queued() + " queued, "
                    + rejected() + " rejected)";
        }

        private UnsupportedOperationException refused(String method) {
            return new UnsupportedOperationException("Cluster.offload()." + method + "(): the offload pool belongs to "
                    + "the process and lives as long as it does; to wait for your own tasks, keep their Futures "
                    + "(or use invokeAll) instead of shutting the pool down");
        }
    }
}
