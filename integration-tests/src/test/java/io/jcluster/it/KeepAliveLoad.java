package io.jcluster.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load like {@code wrk -c N}: N persistent HTTP/1.1 connections, each sending its next GET as soon as the previous
 * response is in. Like wrk, it counts as an error every request that does not come back whole: a reset, an EOF
 * (also on an idle keep-alive connection, where wrk reports a read error), a timeout; and separately every
 * non-2xx response. A failed connection is reopened. Stops by itself after {@code maxDuration}.
 */
final class KeepAliveLoad implements AutoCloseable {

    record Result(long requests, long errors, long non2xx, List<String> samples, Set<Long> pids) {
        @Override
        public String toString() {
            return requests + " requests, " + errors + " errors, " + non2xx + " non-2xx"
                    + (samples.isEmpty() ? "" : ", first failures: " + samples);
        }
    }

    private final int port;
    private final String path;
    private final long stopAt;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong non2xx = new AtomicLong();
    private final List<String> samples = new ArrayList<>();
    private final Set<Long> pids = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    private KeepAliveLoad(int port, String path, long maxMillis) {
        this.port = port;
        this.path = path;
        this.stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    }

    static KeepAliveLoad start(int port, int connections, String path, java.time.Duration maxDuration) {
        KeepAliveLoad load = new KeepAliveLoad(port, path, maxDuration.toMillis());
        for (int i = 0; i < connections; i++) {
            Thread thread = new Thread(load::run, "load-" + i);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    private boolean running() {
        return !stopped && System.nanoTime() - stopAt < 0;
    }

    private void run() {
        while (running()) {
            try (Http.KeepAlive connection = Http.keepAlive(port)) {
                while (running()) {
                    Http.Response response = connection.get(path);
                    requests.incrementAndGet();
                    if (response.status() / 100 != 2) {
                        non2xx.incrementAndGet();
                        sample("status " + response.status() + ": " + response.body().trim());
                    } else {
                        pids.add(response.pid());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (running()) {
                    requests.incrementAndGet();
                    errors.incrementAndGet();
                    sample(e.toString());
                }
            }
        }
    }

    private void sample(String failure) {
        synchronized (samples) {
            if (samples.size() < 5) {
                samples.add(failure);
            }
        }
    }

    long requestsSoFar() {
        return requests.get();
    }

    /**
     * Waits until every one of {@code workers} has answered a request of this load (a poll, instead of a fixed
     * sleep after an operation), at most {@code limit}; says whether they all did.
     */
    boolean awaitServedBy(java.util.Collection<Long> workers, java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!pids.containsAll(workers)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            ClusterProcess.sleep(20);
        }
        return true;
    }

    /** Stops every connection (the requests in flight complete first) and returns the counts. */
    Result stop() {
        stopped = true;
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (samples) {
            return new Result(requests.get(), errors.get(), non2xx.get(), List.copyOf(samples), Set.copyOf(pids));
        }
    }

    @Override
    public void close() {
        stopped = true;
    }
}
