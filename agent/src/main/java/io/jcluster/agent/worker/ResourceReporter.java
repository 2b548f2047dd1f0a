package io.jcluster.agent.worker;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.worker.cluster.WorkerCluster;
import io.jcluster.agent.worker.sessions.WorkerSessions;
import io.jcluster.bootstrap.PeerRewrite;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Tells the parent once a second what this worker uses: resident memory and live threads (from /proc/self/status,
 * which counts the JVM's own threads too), heap in use, and total GC time. The parent shows them in /status and
 * /metrics and acts on max-memory. Also, when it grew, how many accepted connections kept the loopback peer because
 * their client was not found (PeerRewrite). And the Cluster API's numbers: the offload pool and message delivery,
 * and with sessions=shared what this worker did with the session store.
 */
final class ResourceReporter implements Runnable {

    static final long INTERVAL_MILLIS = 1_000;
    private static final Path STATUS = Path.of("/proc/self/status");
    /** java.management is absent from some -m launches; GC time is then reported as unknown (-1). */
    private static final boolean MANAGEMENT = ModuleLayer.boot().findModule("java.management").isPresent();

    private final ControlClient control;
    private final WorkerCluster cluster;
    private final WorkerSessions sessions;
    private long reportedFallbacks;

    private ResourceReporter(ControlClient control, WorkerCluster cluster, WorkerSessions sessions) {
        this.control = control;
        this.cluster = cluster;
        this.sessions = sessions;
    }

    /** @param sessions the worker's session store, null without sessions=shared */
    static void start(ControlClient control, WorkerCluster cluster, WorkerSessions sessions) {
        Thread thread = new Thread(new ResourceReporter(control, cluster, sessions), "jcluster-resources");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(INTERVAL_MILLIS);
                control.send(current());
                cluster.sendStats(sessions == null ? ClusterFrame.SessionCounts.NONE
                        : sessions.counters().snapshot());
                long fallbacks = PeerRewrite.fallbacks();
                if (fallbacks != reportedFallbacks) {
                    control.send(new ControlMessage.ClientAddressFallbacks(fallbacks));
                    reportedFallbacks = fallbacks;
                }
            } catch (InterruptedException | IOException e) {
                return; // the parent is gone; the disconnect watcher ends this worker
            }
        }
    }

    static ControlMessage.Stats current() {
        long resident = -1;
        int threads = -1;
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    resident = kilobytes(line) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = (int) kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        Runtime runtime = Runtime.getRuntime();
        long heapUsed = runtime.totalMemory() - runtime.freeMemory();
        return new ControlMessage.Stats(resident, heapUsed, MANAGEMENT ? Management.gcMillis() : -1, threads);
    }

    /** "VmRSS:     12345 kB" and "Threads:  17": the number in the line. */
    private static long kilobytes(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    /** Loaded only when java.management is in the boot layer. */
    private static final class Management {
        static long gcMillis() {
            long total = 0;
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                total += Math.max(0, collector.getCollectionTime());
            }
            return total;
        }
    }
}
