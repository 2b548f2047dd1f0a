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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OldGenerationGuardTest {

    private static final long MIB = 1 << 20;
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void collectsWhenTheOldGenerationOutgrowsWhatWasLiveOrHoldsGarbageOnceQuiet() {
        assertFalse(OldGenerationGuard.collectNow(30 * MIB, 40 * MIB, 10 * MIB, false), "busy, 2 x 10 + 16 not reached");
        assertTrue(OldGenerationGuard.collectNow(37 * MIB, 40 * MIB, 10 * MIB, false), "busy, past 2 x 10 + 16");
        assertTrue(OldGenerationGuard.collectNow(17 * MIB, 20 * MIB, 0, false), "no full collection yet: 16 MiB");
        assertTrue(OldGenerationGuard.collectNow(15 * MIB, 20 * MIB, 10 * MIB, true), "quiet, 5 MiB of garbage");
        assertFalse(OldGenerationGuard.collectNow(13 * MIB, 18 * MIB, 10 * MIB, true), "quiet, 3 MiB: left alone");
        assertTrue(OldGenerationGuard.collectNow(10 * MIB, 20 * MIB, 10 * MIB, true), "quiet, committed past 15 + 4");
        assertFalse(OldGenerationGuard.collectNow(10 * MIB, 18 * MIB, 10 * MIB, true), "quiet and fits: left alone");
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
        Process process = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xms8m", "-Xmx1g", "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30", "-cp", System.getProperty("java.class.path"), Churn.class.getName(),
                Boolean.toString(guard)).redirectErrorStream(true).start();
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
            long fullGcs = 0;
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (List.of("MarkSweepCompact").contains(collector.getName())) {
                    fullGcs = collector.getCollectionCount();
                }
            }
            System.out.println("maxOld=" + maxOld + " fullGcs=" + fullGcs + " live=" + connections.size());
        }
    }
}
