import io.jcluster.Cluster;
import io.jcluster.SharedMap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Cluster API measured between two real workers (bench/cluster-api.sh runs it under the agent). Worker 1
 * answers; worker 0 measures, single-threaded, one operation at a time:
 * <ul>
 *   <li>shared map get, put, increment: latency per call (worker to parent to store and back);</li>
 *   <li>publish to delivery: the round trip of a ping published by worker 0 and answered by worker 1 (one-way is
 *   about half);</li>
 *   <li>throughput: 100-byte messages from worker 0 to worker 1 with at most {@code WINDOW} batches of
 *   {@code ACK_EVERY} unacknowledged (2,000 messages, under the parent's 4,096-message queue per worker), so nothing
 *   is dropped and the number is what the path carries, not what the queues absorb.</li>
 * </ul>
 * Results go to the file named by -Dbench.out, one "name value" line each.
 */
public final class ClusterBench {

    private static final int MAP_WARMUP = 20_000;
    private static final int MAP_OPS = 50_000;
    private static final int PINGS = 20_000;
    private static final int FLOOD = 200_000;
    private static final int ACK_EVERY = 1_000;
    private static final int WINDOW = 2;

    public static void main(String[] args) throws Exception {
        listen(Integer.parseInt(args[0]));
        if (Cluster.workerId() == 1) {
            respond();
        } else if (Cluster.workerId() == 0) {
            measure(Path.of(System.getProperty("bench.out")));
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The worker serves a port so that the supervisor sees it ready; nothing is asked of it. */
    private static void listen(int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (true) {
                try (Socket ignored = server.accept()) {
                    // the readiness probe's connection
                } catch (IOException e) {
                    return;
                }
            }
        }, "bench-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private static void respond() {
        AtomicLong flooded = new AtomicLong();
        Cluster.subscribe("bench.ping", message -> Cluster.publish("bench.pong", message));
        Cluster.subscribe("bench.flood", message -> {
            long count = flooded.incrementAndGet();
            if (count % ACK_EVERY == 0) {
                Cluster.publish("bench.ack", Long.toString(count));
            }
        });
        Cluster.map("bench").put("responder", "ready");
    }

    private static void measure(Path out) throws Exception {
        SharedMap bench = Cluster.map("bench");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (bench.get("responder") == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("worker 1 did not subscribe within 120 s");
            }
            Thread.sleep(50);
        }
        StringBuilder results = new StringBuilder();
        byte[] value = new byte[100];
        mapLatency(bench, value, MAP_WARMUP);
        results.append(line("map.put", time(MAP_OPS, i -> bench.put("k" + (i % 1000), value))));
        results.append(line("map.get", time(MAP_OPS, i -> bench.get("k" + (i % 1000)))));
        results.append(line("map.increment", time(MAP_OPS, i -> bench.increment("counter", 1))));

        BlockingQueue<byte[]> pongs = new ArrayBlockingQueue<>(1);
        Cluster.subscribe("bench.pong", pongs::add);
        byte[] ping = new byte[16];
        time(PINGS / 4, i -> roundTrip(ping, pongs));
        results.append(line("publish.roundtrip", time(PINGS, i -> roundTrip(ping, pongs))));

        Semaphore window = new Semaphore(WINDOW);
        Cluster.subscribe("bench.ack", ack -> window.release());
        byte[] payload = new byte[100];
        long started = System.nanoTime();
        for (int i = 1; i <= FLOOD; i++) {
            if ((i - 1) % ACK_EVERY == 0 && !window.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no ack for 30 s after " + i + " messages: messages were lost");
            }
            ByteBuffer.wrap(payload).putInt(i);
            Cluster.publish("bench.flood", payload);
        }
        if (!window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last acks did not come within 30 s: messages were lost");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        results.append(String.format(Locale.ROOT, "publish.throughput %.0f msg/s (%d messages of 100 bytes)%n",
                FLOOD / seconds, FLOOD));
        Files.writeString(out, results.toString(), StandardCharsets.UTF_8);
    }

    private static void mapLatency(SharedMap bench, byte[] value, int warmup) {
        for (int i = 0; i < warmup; i++) {
            bench.put("k" + (i % 1000), value);
            bench.get("k" + (i % 1000));
            bench.increment("warmup", 1);
        }
    }

    private static void roundTrip(byte[] ping, BlockingQueue<byte[]> pongs) {
        Cluster.publish("bench.ping", ping);
        try {
            if (pongs.poll(10, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("no pong within 10 s");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Op {
        void run(int i) throws Exception;
    }

    private static long[] time(int count, Op op) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            op.run(i);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static String line(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1000.0;
        return String.format(Locale.ROOT, "%s p50=%.1fus p99=%.1fus mean=%.1fus ops/s=%.0f%n", name,
                sorted[sorted.length / 2] / 1000.0, sorted[(int) (sorted.length * 0.99)] / 1000.0, mean,
                1e6 / mean);
    }
}
