package io.jcluster.agent.memory;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.function.Consumer;

/**
 * Bounds Serial's old generation in a balancer JVM (the parent and the standalone balancer restart with Serial and a
 * small young generation). Under connection churn each connection outlives a few young collections, so its objects
 * are promoted and die in the old generation, and Serial grows the old generation for promotions instead of
 * collecting it, up to {@code -Xmx} (in the parent the app's): measured, 2,000 connections re-opened about 6,000
 * times a second took the parent from 80 to 470 MiB of RSS in 25 s, 24 MiB of it live, and it kept it. Checked every
 * second ({@link #collectNow}): a full collection once the old generation holds more than twice what the previous
 * one left plus {@link #SLACK_BYTES}; and, when nothing was promoted in the last second (the load is over or
 * light), one while it holds garbage or more memory than a full collection would give back, which Serial does a step
 * per full collection. What Serial gives back is its own rule: never below the old generation's initial size
 * ({@code -Xms}, or {@code -Xmx} alone, which starts the heap at its maximum), never below what is live over
 * {@code 1 - MaxHeapFreeRatio}; a guard that asked for more would pause the balancer for a full collection every
 * second for nothing. A full collection of this heap pauses the balancer for 7-90 ms: every few seconds while
 * connections churn, a few times once they stop, never while the old generation stands still and fits.
 *
 * <p>Nothing is started under another collector (G1 and ZGC collect their old generation concurrently) or with
 * {@code -XX:+DisableExplicitGC} (said in one line).
 */
public final class OldGenerationGuard implements Runnable {

    /** Serial's old generation, as its memory pool is named. */
    static final String POOL = "Tenured Gen";
    static final long SLACK_BYTES = 16L << 20;
    static final long QUIET_SLACK_BYTES = 4L << 20;
    static final long PERIOD_MILLIS = 1000;

    private final MemoryPoolMXBean oldGeneration;
    private final HotSpotDiagnosticMXBean hotSpot;

    private OldGenerationGuard(MemoryPoolMXBean oldGeneration, HotSpotDiagnosticMXBean hotSpot) {
        this.oldGeneration = oldGeneration;
        this.hotSpot = hotSpot;
    }

    /**
     * Whether to collect now. {@code usedBytes}, {@code committedBytes}: the old generation's now; {@code liveBytes}:
     * what the last full collection left in it; {@code quiet}: nothing was promoted since the previous check;
     * {@code initialBytes}: the old generation's initial size; {@code maxHeapFreeRatio}: the JVM's, in percent.
     */
    static boolean collectNow(long usedBytes, long committedBytes, long liveBytes, boolean quiet, long initialBytes,
                              long maxHeapFreeRatio) {
        long live = Math.max(0, liveBytes);
        if (usedBytes > 2 * live + SLACK_BYTES) {
            return true;
        }
        return quiet && (usedBytes > live + QUIET_SLACK_BYTES
                || committedBytes > keptAfterCollection(live, initialBytes, maxHeapFreeRatio) + QUIET_SLACK_BYTES);
    }

    /** The old generation's committed size Serial settles at after full collections that leave {@code live}. */
    static long keptAfterCollection(long live, long initialBytes, long maxHeapFreeRatio) {
        if (maxHeapFreeRatio >= 100) {
            return Long.MAX_VALUE - QUIET_SLACK_BYTES; // it never shrinks
        }
        return Math.max(initialBytes, live / (100 - maxHeapFreeRatio) * 100);
    }

    /** Starts the guard's daemon thread where this JVM runs Serial; {@code log} gets one line when it cannot. */
    public static void start(Consumer<String> log) {
        MemoryPoolMXBean pool;
        HotSpotDiagnosticMXBean hotSpot;
        try {
            pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(candidate -> candidate.getName().equals(POOL)).findFirst().orElse(null);
            if (pool == null) {
                return;
            }
            hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotSpot != null && Boolean.parseBoolean(hotSpot.getVMOption("DisableExplicitGC").getValue())) {
                log.accept("-XX:+DisableExplicitGC: under connection churn the balancer's old generation grows up to"
                        + " -Xmx (Serial collects it only when full); drop the flag, or give the balancer a small -Xmx");
                return;
            }
        } catch (RuntimeException | LinkageError e) {
            log.accept("cannot watch the balancer's old generation (" + e + "); under connection churn it grows up to"
                    + " -Xmx: give the balancer a small -Xmx");
            return;
        }
        Thread thread = new Thread(null, new OldGenerationGuard(pool, hotSpot), "jcluster-heap-guard", 256 * 1024);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            long previousUsed = -1;
            while (true) {
                Thread.sleep(PERIOD_MILLIS);
                MemoryUsage now = oldGeneration.getUsage();
                MemoryUsage live = oldGeneration.getCollectionUsage(); // after the last collection of this pool
                boolean quiet = now.getUsed() == previousUsed;
                if (collectNow(now.getUsed(), now.getCommitted(), live == null ? 0 : live.getUsed(), quiet,
                        now.getInit(), maxHeapFreeRatio())) {
                    System.gc();
                    now = oldGeneration.getUsage();
                }
                previousUsed = now.getUsed();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Read at each check: the flag is manageable (jcmd VM.set_flag). */
    private long maxHeapFreeRatio() {
        return hotSpot == null ? 70 : Long.parseLong(hotSpot.getVMOption("MaxHeapFreeRatio").getValue());
    }
}
