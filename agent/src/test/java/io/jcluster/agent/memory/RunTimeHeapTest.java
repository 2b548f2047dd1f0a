package io.jcluster.agent.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunTimeHeapTest {

    /** Flags as a JVM would take them: a set of names given on the command line, a set that refuses. */
    private static final class FakeOptions implements RunTimeHeap.VMOptions {
        final Set<String> fromCommandLine;
        final Set<String> refused;
        final List<String> set = new ArrayList<>();

        FakeOptions(Set<String> fromCommandLine, Set<String> refused) {
            this.fromCommandLine = fromCommandLine;
            this.refused = refused;
        }

        @Override
        public boolean setByCommandLine(String name) {
            return fromCommandLine.contains(name);
        }

        @Override
        public void set(String name, String value) {
            if (refused.contains(name)) {
                throw new IllegalArgumentException("VM option \"" + name + "\" is not writeable");
            }
            set.add(name + "=" + value);
        }
    }

    private static List<String> names(List<String[]> settings) {
        return settings.stream().map(setting -> setting[0] + "=" + setting[1]).toList();
    }

    private static final RunTimeHeap.Collector SERIAL = RunTimeHeap.Collector.SERIAL;
    private static final RunTimeHeap.Collector G1 = RunTimeHeap.Collector.G1;
    private static final RunTimeHeap.Role STANDALONE = RunTimeHeap.Role.STANDALONE;
    private static final RunTimeHeap.Role PARENT = RunTimeHeap.Role.PARENT;

    @Test
    void lowersTheMinimumBeforeTheMaximumUnderSerialAndUnderG1InTheStandaloneBalancer() {
        FakeOptions options = new FakeOptions(Set.of(), Set.of());
        List<String> ratios = List.of("MinHeapFreeRatio=10", "MaxHeapFreeRatio=30");
        assertEquals(ratios, names(RunTimeHeap.settings(SERIAL, STANDALONE, options)));
        assertEquals(ratios, names(RunTimeHeap.settings(SERIAL, PARENT, options)));
        assertEquals(ratios, names(RunTimeHeap.settings(G1, STANDALONE, options)), "JDK 17's default, no flags");
        assertEquals(List.of(), names(RunTimeHeap.settings(G1, PARENT, options)), "G1 expands for GC time");
        assertEquals(List.of(), names(RunTimeHeap.settings(RunTimeHeap.Collector.OTHER, STANDALONE, options)),
                "Parallel ignores the ratios");
    }

    @Test
    void knowsTheCollectorByItsMxBeanNames() {
        assertEquals(SERIAL, RunTimeHeap.Collector.of(List.of("Copy", "MarkSweepCompact")));
        assertEquals(G1, RunTimeHeap.Collector.of(List.of("G1 Young Generation", "G1 Concurrent GC",
                "G1 Old Generation")));
        assertEquals(RunTimeHeap.Collector.OTHER, RunTimeHeap.Collector.of(List.of("PS Scavenge", "PS MarkSweep")));
        assertEquals(RunTimeHeap.Collector.OTHER, RunTimeHeap.Collector.of(List.of("ZGC Cycles", "ZGC Pauses")));
    }

    @Test
    void leavesWhatTheCommandLineSet() {
        FakeOptions options = new FakeOptions(Set.of("MaxHeapFreeRatio"), Set.of());
        assertEquals(List.of(), names(RunTimeHeap.settings(SERIAL, STANDALONE, options)));
        assertEquals(List.of(), names(RunTimeHeap.settings(G1, STANDALONE, options)));
    }

    @Test
    void saysInOneLineWhichFlagsCouldNotBeSet() {
        FakeOptions options = new FakeOptions(Set.of(), Set.of("MinHeapFreeRatio", "MaxHeapFreeRatio"));
        List<String> lines = new ArrayList<>();
        RunTimeHeap.apply(RunTimeHeap.settings(SERIAL, STANDALONE, options), options, lines::add);
        assertEquals(List.of(), options.set);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("MinHeapFreeRatio=10") && lines.get(0).contains("MaxHeapFreeRatio=30")
                && lines.get(0).contains("not writeable"), lines.get(0));
    }

    @Test
    void saysNothingWhenEveryFlagWasSet() {
        FakeOptions options = new FakeOptions(Set.of(), Set.of());
        List<String> lines = new ArrayList<>();
        RunTimeHeap.apply(RunTimeHeap.settings(SERIAL, STANDALONE, options), options, lines::add);
        assertEquals(2, options.set.size());
        assertEquals(List.of(), lines);
    }

    @Test
    void theRealJvmTakesEveryFlagOnThisJdk() {
        // whatever this JVM's collector, HotSpot takes both ratios (Serial's are the ones tighten() sets)
        RunTimeHeap.VMOptions real = new RunTimeHeap.VMOptions() {
            final com.sun.management.HotSpotDiagnosticMXBean hotSpot = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);

            @Override
            public boolean setByCommandLine(String name) {
                return false;
            }

            @Override
            public void set(String name, String value) {
                hotSpot.setVMOption(name, value);
            }
        };
        List<String> lines = new ArrayList<>();
        RunTimeHeap.apply(RunTimeHeap.settings(G1, STANDALONE, real), real, lines::add);
        assertEquals(List.of(), lines, "a manageable flag was refused on " + Runtime.version());
    }
}
