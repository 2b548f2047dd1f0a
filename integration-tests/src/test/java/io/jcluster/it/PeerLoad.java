package io.jcluster.it;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * wrk-style load on GET /peer from several source addresses at once: keep-alive connections, each sending its next
 * request when the previous response is in, each checking that the peer the app reports is exactly its own end of
 * the connection (address and port). Bounded by {@code duration}; a failed connection is reopened.
 */
final class PeerLoad {

    /** Requests per source address whose answer named the client itself, and everything else. */
    record Result(Map<String, Long> matched, long mismatched, long errors, List<String> samples) {
        long requests() {
            return matched.values().stream().mapToLong(Long::longValue).sum() + mismatched + errors;
        }

        @Override
        public String toString() {
            return "requests whose observed peer was the client itself, by source address: " + matched
                    + "; mismatched: " + mismatched + "; errors: " + errors
                    + (samples.isEmpty() ? "" : "; first failures: " + samples);
        }
    }

    private PeerLoad() {
    }

    static Result run(int port, Map<InetAddress, Integer> connectionsPerSource, Duration duration)
            throws InterruptedException {
        long stopAt = System.nanoTime() + duration.toNanos();
        Map<String, AtomicLong> matched = new ConcurrentHashMap<>();
        AtomicLong mismatched = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<String> samples = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        connectionsPerSource.forEach((source, connections) -> {
            AtomicLong count = matched.computeIfAbsent(source.getHostAddress(), s -> new AtomicLong());
            for (int i = 0; i < connections; i++) {
                Thread thread = new Thread(() -> {
                    while (System.nanoTime() - stopAt < 0) {
                        try (Http.KeepAlive connection = Http.keepAliveFrom(source, port)) {
                            String self = ClientSources.text(connection.client());
                            while (System.nanoTime() - stopAt < 0) {
                                String seen = ClientSources.peer(connection.get("/peer"));
                                if (seen.equals(self)) {
                                    count.incrementAndGet();
                                } else {
                                    mismatched.incrementAndGet();
                                    sample(samples, "client " + self + " was seen as " + seen);
                                }
                            }
                        } catch (IOException | RuntimeException | AssertionError e) {
                            if (System.nanoTime() - stopAt < 0) {
                                errors.incrementAndGet();
                                sample(samples, e.toString());
                            }
                        }
                    }
                }, "peer-load-" + source.getHostAddress() + "-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        });
        for (Thread thread : threads) {
            thread.join(duration.toMillis() + Http.READ_TIMEOUT.toMillis() + 5_000);
        }
        Map<String, Long> counts = new TreeMap<>();
        matched.forEach((source, count) -> counts.put(source, count.get()));
        synchronized (samples) {
            return new Result(counts, mismatched.get(), errors.get(), List.copyOf(samples));
        }
    }

    private static void sample(List<String> samples, String what) {
        synchronized (samples) {
            if (samples.size() < 5) {
                samples.add(what);
            }
        }
    }
}
