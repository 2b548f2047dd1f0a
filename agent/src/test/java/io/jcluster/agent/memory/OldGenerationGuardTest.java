package io.jcluster.agent.memory;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OldGenerationGuardTest {

    private static final long MIB = 1 << 20;
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void collectsWhenTheOldGenerationOutgrowsWhatWasLiveOrHoldsGarbageOnceQuiet() {
        assertFalse(collectNow(30 * MIB, 40 * MIB, 10 * MIB, false), "busy, 2 x 10 + 16 not reached");
        assertTrue(collectNow(37 * MIB, 40 * MIB, 10 * MIB, false), "busy, past 2 x 10 + 16");
        assertTrue(collectNow(17 * MIB, 20 * MIB, 0, false), "no full collection yet: 16 MiB");
        assertTrue(collectNow(15 * MIB, 20 * MIB, 10 * MIB, true), "quiet, 5 MiB of garbage");
        assertFalse(collectNow(13 * MIB, 18 * MIB, 10 * MIB, true), "quiet, 3 MiB: left alone");
        assertTrue(collectNow(10 * MIB, 20 * MIB, 10 * MIB, true), "quiet, committed past 10 / 0.7 + 4");
        assertFalse(collectNow(10 * MIB, 18 * MIB, 10 * MIB, true), "quiet and fits: left alone");
    }

    /** The parent's and the standalone balancer's own flags: -Xms8m (old generation 5 MiB), MaxHeapFreeRatio=30. */
    private static boolean collectNow(long used, long committed, long live, boolean quiet) {
        return OldGenerationGuard.collectNow(used, committed, live, quiet, 5 * MIB, 30);
    }

    /**
     * Committed memory that a full collection would not give back is no reason for one: Serial keeps the old
     * generation's initial size ({@code -Xmx64m} alone starts the heap at 64 MiB: 42.7 MiB of old generation), and
     * what is live over {@code 1 - MaxHeapFreeRatio} (the JVM's default ratio, 70%, keeps 3.3 x live). Asking anyway
     * paused the balancer for a full collection every second while nothing changed.
     */
    @Test
    void memoryThatSerialWouldKeepAnywayIsNoReasonToCollect() {
        long initial = 44_761_088; // -XX:+UseSerialGC -Xmx64m: Tenured Gen's init, JDK 17 and 25
        assertFalse(OldGenerationGuard.collectNow(4 * MIB, initial, 4 * MIB, true, initial, 30), "-Xmx64m, quiet");
        assertFalse(OldGenerationGuard.collectNow(4 * MIB, initial, 0, true, initial, 30), "no full collection yet");
        assertTrue(OldGenerationGuard.collectNow(4 * MIB, initial + 5 * MIB, 4 * MIB, true, initial, 30),
                "grown past its initial size");
        assertFalse(OldGenerationGuard.collectNow(20 * MIB, 40 * MIB, 20 * MIB, true, 5 * MIB, 70),
                "MaxHeapFreeRatio=70: Serial keeps up to 66 MiB for 20 live");
        assertTrue(OldGenerationGuard.collectNow(20 * MIB, 72 * MIB, 20 * MIB, true, 5 * MIB, 70));
        assertFalse(OldGenerationGuard.collectNow(20 * MIB, 400 * MIB, 20 * MIB, true, 5 * MIB, 100),
                "MaxHeapFreeRatio=100: Serial never shrinks");
        assertTrue(OldGenerationGuard.collectNow(40 * MIB, 400 * MIB, 5 * MIB, false, 5 * MIB, 100),
                "garbage past 2 x live + 16 is collected whatever the ratio");
    }

    /**
     * A real Serial JVM (this test's JDK) started as the balancer often is, {@code -Xmx64m} alone, holding a steady
     * live set with only short-lived garbage beside it: the guard asks for one full collection at most (it asked every second).
     */
    @Test
    void aSteadyBalancerWithOnlyAnXmxIsNotCollectedEverySecond() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String report = run(java, "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Steady.class.getName());
        assertTrue(value(report, "guard") == 1, "the guard ran: " + report);
        // one when the guard first finds the live set promoted (before any full collection it cannot tell live
        // from garbage); then none, where it asked once a second
        assertTrue(value(report, "fullGcs") <= 1, report);
    }

    /**
     * A real Serial JVM (JDK 25) with "connections" that outlive a few young collections, at a bounded rate: without
     * the guard Serial grows the old generation with their garbage and never collects it (the control run); with it
     * the old generation stays bounded by full collections.
     */
    @Test
    void underChurnSerialsOldGenerationStaysBoundedOnlyWithTheGuard() throws Exception {
        String withGuard = churn(true);
        String without = churn(false);
        long boundedMax = value(withGuard, "maxOld");
        long unboundedMax = value(without, "maxOld");
        assertTrue(value(without, "fullGcs") == 0 && unboundedMax > 120 * MIB,
                "the control run's old generation grows with garbage, uncollected: " + without);
        // at most 2 x 16 MiB live + 16 MiB, plus what one second between two checks promotes
        assertTrue(value(withGuard, "fullGcs") >= 2 && boundedMax < 100 * MIB, "with the guard: " + withGuard);
    }

    private static long value(String report, String name) {
        for (String part : report.trim().split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in: " + report);
    }

    private static String churn(boolean guard) throws IOException, InterruptedException {
        // JDK 17's Serial collects its old generation when it fills (the parent does not restart into Serial there);
        // JDK 25's grows it for promotions instead, up to -Xmx
        String java = TEMURIN_25.toString();
        Assumptions.assumeTrue(Files.isExecutable(TEMURIN_25), "SKIPPED: needs Temurin 25 at " + TEMURIN_25
                + " (.ci/run expects it there): JDK 17's Serial has no such growth to bound");
        return run(java, "-XX:+UseSerialGC", "-Xms8m", "-Xmx1g", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
                "-cp", System.getProperty("java.class.path"), Churn.class.getName(), Boolean.toString(guard));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the churn JVM finished");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), output);
            return output;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The forked JVM: ~33 MiB/s of objects that each live ~0.5 s, for 5 s; prints the old generation's peak. */
    public static final class Churn {
        public static void main(String[] args) throws InterruptedException {
            if (Boolean.parseBoolean(args[0])) {
                OldGenerationGuard.start(System.out::println);
            }
            MemoryPoolMXBean tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getName().equals(OldGenerationGuard.POOL)).findFirst().orElseThrow();
            ArrayDeque<byte[][]> connections = new ArrayDeque<>();
            long maxOld = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 32; i++) { // 32 x 16 KiB = 0.5 MiB per 15 ms
                    connections.add(new byte[16][1024]);
                    if (connections.size() > 1000) {
                        connections.poll();
                    }
                }
                maxOld = Math.max(maxOld, tenured.getUsage().getUsed());
                Thread.sleep(15);
            }
            long fullGcs = fullCollections();
            System.out.println("maxOld=" + maxOld + " fullGcs=" + fullGcs + " live=" + connections.size());
        }
    }

    /** The forked JVM: 4 MiB live, ~30 MiB/s of garbage that dies young, guard on, 4.5 s (four of its checks). */
    public static final class Steady {
        public static void main(String[] args) throws InterruptedException {
            OldGenerationGuard.start(System.out::println);
            boolean guard = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(thread -> thread.getName().equals("jcluster-heap-guard"));
            byte[][] live = new byte[4096][1024];
            long sink = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4500);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 32; i++) {
                    sink += new byte[16 * 1024].length;
                }
                Thread.sleep(15);
            }
            System.out.println("guard=" + (guard ? 1 : 0) + " fullGcs=" + fullCollections() + " live=" + live.length
                    + " allocated=" + sink);
        }
    }

    private static long fullCollections() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector.getName().equals("MarkSweepCompact")) {
                return collector.getCollectionCount();
            }
        }
        return 0;
    }
}
