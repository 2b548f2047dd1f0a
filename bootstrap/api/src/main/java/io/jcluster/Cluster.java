package io.jcluster;

import io.jcluster.spi.ClusterBackends;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The cluster an app runs in: who this worker is, shared maps, messages between workers, one leader, and a pool for
 * CPU-heavy work. Without the jcluster agent every method answers as for a single process (worker 0 of 1, the
 * leader, an in-process map, local delivery), so the same app runs and tests without a cluster.
 *
 * <p>Compile against {@code io.jcluster:jcluster-api} with scope {@code provided}: in a worker the agent's copy of
 * this class is the one that reaches the cluster. A copy the app loaded apart from it (a child-first class loader)
 * throws {@link IllegalStateException} from every method rather than run as a single process. Names, keys and sizes
 * follow the rules of docs/cluster-api.md; a broken rule is an {@link IllegalArgumentException} that states it.
 */
public final class Cluster {

    private Cluster() {
    }

    /** This worker's id, 0..workers()-1 (0 outside a cluster). */
    public static int workerId() {
        return ClusterBackends.current().workerId();
    }

    /** How many workers the cluster has now: follows {@code scale} (1 outside a cluster). */
    public static int workers() {
        return ClusterBackends.current().workers();
    }

    /** Whether this process is a jcluster worker. */
    public static boolean isWorker() {
        return ClusterBackends.current().isWorker();
    }

    /** Whether this worker is the leader: exactly one worker at a time is, across reloads and crashes. */
    public static boolean isLeader() {
        return ClusterBackends.current().isLeader();
    }

    /**
     * {@code gained} runs when this worker becomes the leader (at once if it is one), {@code lost} when it stops
     * being one (before a drained leader stops). Both run on the thread "jcluster-leadership", never the caller's; a
     * callback that throws is reported on stderr. Neither may be null. Close the result to stop being told.
     */
    public static AutoCloseable onLeadership(Runnable gained, Runnable lost) {
        return ClusterBackends.current().onLeadership(gained, lost);
    }

    /**
     * Sends {@code message} to the subscribers of {@code topic} on every worker, this one's included. Each
     * publisher's messages arrive in the order it sent them; a worker that is down or restarting misses them
     * (at-most-once). Never waits for a subscriber. A message over {@code max-message} bytes (default 256k) is an
     * {@link IllegalArgumentException}; the topic is 1..200 characters of {@code A-Z a-z 0-9 . _ : -}.
     */
    public static void publish(String topic, byte[] message) {
        ClusterBackends.current().publish(topic, message);
    }

    /** {@link #publish(String, byte[])} with the UTF-8 bytes of {@code message}. */
    public static void publish(String topic, String message) {
        publish(topic, message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code handler} receives every message published on {@code topic} after this returns, on the thread
     * "jcluster-messages" that runs every handler of the process one at a time (so a handler should not block); one
     * that throws is reported on stderr and delivery goes on. Close the result to stop.
     */
    public static AutoCloseable subscribe(String topic, Consumer<byte[]> handler) {
        return ClusterBackends.current().subscribe(topic, handler);
    }

    /** The shared map named {@code name}; maps exist from their first use. */
    public static SharedMap map(String name) {
        return ClusterBackends.current().map(name);
    }

    /**
     * A bounded pool of platform threads sized to this worker's share of the processors (all of them outside a
     * cluster). A full queue rejects a task at once ({@link java.util.concurrent.RejectedExecutionException}); the
     * pool belongs to the process, so shutting it down is refused ({@link UnsupportedOperationException}).
     */
    public static ExecutorService offload() {
        return ClusterBackends.current().offload();
    }
}
