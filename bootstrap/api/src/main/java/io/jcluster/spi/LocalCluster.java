package io.jcluster.spi;

import io.jcluster.Cluster;
import io.jcluster.SharedMap;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The backend of a process that runs without the jcluster agent: worker 0 of 1, always the leader, an in-process
 * store for the shared maps ({@link LocalMaps}: the same rules as the cluster's, bounded by {@code store-size}), and
 * messages delivered within the process ({@link LocalMessages}: the same threading and bounds as in a worker). So an
 * app runs, and its tests pass, without a cluster.
 *
 * <p>Inside a worker this backend must never serve: an app that loaded its own copy of {@code io.jcluster.Cluster}
 * (a child-first class loader, e.g. a WAR that bundles jcluster-api) would silently run as a single process in
 * every worker, each with its own map, its own messages and its own "leader". {@link #instance()} refuses instead.
 *
 * <p>Limits come from system properties named like the agent's options, for tests that want the cluster's:
 * {@code jcluster.max-message} (default 256k, at most 8m) and {@code jcluster.store-size} (default 64m).
 */
final class LocalCluster implements ClusterBackend {

    static final String WORKER_ID_PROPERTY = "jcluster.worker.id";
    static final String MAX_MESSAGE_PROPERTY = "jcluster.max-message";
    static final String STORE_SIZE_PROPERTY = "jcluster.store-size";
    static final long DEFAULT_STORE_SIZE = 64L * 1024 * 1024;

    private static final Object LOCK = new Object();
    /** Created at the first call, so that a bad system property is reported by every call, not by a class error. */
    private static volatile LocalCluster instance;

    private final LocalMaps maps;
    private final LocalMessages messages;
    private final LocalLeadership leadership;
    private final OffloadPool offload;

    LocalCluster(LongSupplier nanoTime, long maxMessage, long storeSize, int offloadThreads, PrintStream log) {
        this.maps = new LocalMaps(nanoTime, storeSize, maxMessage);
        this.messages = new LocalMessages(nanoTime, maxMessage, log);
        this.leadership = new LocalLeadership(log);
        this.offload = OffloadPool.create(offloadThreads);
    }

    /** The process's single-process backend; refused in a jcluster worker (see the class comment). */
    static ClusterBackend instance() {
        if (System.getProperty(WORKER_ID_PROPERTY) != null) {
            throw new IllegalStateException(notInAWorker());
        }
        LocalCluster local = instance;
        if (local == null) {
            synchronized (LOCK) {
                local = instance;
                if (local == null) {
                    local = fromProperties();
                    instance = local;
                }
            }
        }
        return local;
    }

    /** A backend with the limits of the system properties (or the defaults), the processors and stderr. */
    static LocalCluster fromProperties() {
        long maxMessage = size(MAX_MESSAGE_PROPERTY, ApiChecks.DEFAULT_MAX_MESSAGE, ApiChecks.MAX_MAX_MESSAGE);
        long storeSize = size(STORE_SIZE_PROPERTY, DEFAULT_STORE_SIZE, Long.MAX_VALUE);
        return new LocalCluster(System::nanoTime, maxMessage, storeSize, Runtime.getRuntime().availableProcessors(),
                System.err);
    }

    static String notInAWorker() {
        ClassLoader loader = Cluster.class.getClassLoader();
        if (loader == null) {
            // the boot class path's copy is the agent's own: it is the agent that did not install its backend
            return "this process is jcluster worker " + System.getProperty(WORKER_ID_PROPERTY) + " but the agent "
                    + "installed no cluster backend, so io.jcluster.Cluster cannot reach the cluster (the worker's "
                    + "stderr should say why; check that the app runs with the same jcluster.jar as the parent)";
        }
        return "io.jcluster.Cluster was loaded by " + loader + " apart from the jcluster agent's copy, so it cannot "
                + "reach the cluster: declare io.jcluster:jcluster-api with scope provided (compileOnly) so the "
                + "server's copy is used";
    }

    @Override
    public int workerId() {
        return 0;
    }

    @Override
    public int workers() {
        return 1;
    }

    @Override
    public boolean isWorker() {
        return false;
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public AutoCloseable onLeadership(Runnable gained, Runnable lost) {
        return leadership.onLeadership(gained, lost);
    }

    @Override
    public void publish(String topic, byte[] message) {
        messages.publish(topic, message);
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<byte[]> handler) {
        return messages.subscribe(topic, handler);
    }

    @Override
    public SharedMap map(String name) {
        return maps.map(name);
    }

    @Override
    public ExecutorService offload() {
        return offload.executor();
    }

    /** Ends this backend's threads: for tests, which create many backends. */
    void stop() {
        messages.stop();
        leadership.stop();
        offload.stop();
    }

    LocalMaps maps() {
        return maps;
    }

    LocalMessages messages() {
        return messages;
    }

    OffloadPool offloadPool() {
        return offload;
    }

    @Override
    public String toString() {
        return "jcluster single process (no agent): worker 0 of 1, the leader";
    }

    /** A size as the agent's options write it: bytes, or a number with k, m or g. */
    static long size(String property, long absent, long max) {
        String value = System.getProperty(property);
        if (value == null) {
            return absent;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (text.endsWith("k")) {
            unit = 1024;
        } else if (text.endsWith("m")) {
            unit = 1024 * 1024;
        } else if (text.endsWith("g")) {
            unit = 1024 * 1024 * 1024;
        }
        String digits = unit == 1 ? text : text.substring(0, text.length() - 1);
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            bytes = -1;
        }
        if (bytes < 1 || bytes > max) {
            throw new IllegalArgumentException("system property " + property + "=" + value + ": expected a size "
                    + "such as 256k or 16m" + (max == Long.MAX_VALUE ? "" : ", at most " + ApiChecks.sizeText(max)));
        }
        return bytes;
    }
}
