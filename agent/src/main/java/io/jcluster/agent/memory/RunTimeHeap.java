package io.jcluster.agent.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets the balancer's heap follow its live data where the JVM was sized for something else (the standalone balancer
 * on JDK 17-21 with the JVM's defaults: G1 with 1/64 of the machine's memory to start; the parent with the app's
 * flags): lowers the manageable flags {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio} (JDK 17 and 25) so that a
 * full collection gives memory back, collects once after start-up, and gives glibc's freed native memory back every
 * second where the JVM does not ({@link NativeHeapTrim}). A flag the command line set itself is left as it is; a flag
 * that cannot be set is said in one line. {@code -Xms} keeps its meaning: the heap never shrinks below it.
 *
 * <p>The ratios are set under Serial, and under G1 for the standalone balancer only (JDK 17, no flags: RSS idle 92
 * -> 61-64 MiB, peak at 50 connections 99 -> 72-79, bench/RESULTS.md "Memory"). Not under G1 in the parent: with the
 * app's {@code -Xmx4g} the same ratios shrank its heap to 18-24 MiB, and under 2,000 connections G1 then expanded it
 * to 200 MiB for GC time (its {@code GCTimeRatio} is not manageable) and sized the young generation to 84 MiB in it.
 * Parallel's adaptive sizing ignores the ratios.
 */
public final class RunTimeHeap {

    /** Free heap after a collection, in %: below the minimum the heap grows, above the maximum it shrinks. */
    static final String MIN_FREE = "10";
    static final String MAX_FREE = "30";

    /** The collector the JVM runs, as far as the ratios are concerned. */
    enum Collector {
        SERIAL, G1, OTHER;

        /** From the names of the JVM's collectors (their MXBeans). */
        static Collector of(List<String> names) {
            if (names.contains("MarkSweepCompact")) {
                return SERIAL;
            }
            return names.contains("G1 Old Generation") ? G1 : OTHER;
        }
    }

    /** Which JVM this is: the standalone balancer (nothing else in it) or the agent's parent. */
    public enum Role {
        STANDALONE, PARENT
    }

    /** The flag settings, in the order they must be made (the minimum may never exceed the maximum). */
    static List<String[]> settings(Collector collector, Role role, VMOptions current) {
        List<String[]> settings = new ArrayList<>();
        boolean wanted = collector == Collector.SERIAL || collector == Collector.G1 && role == Role.STANDALONE;
        if (!wanted) {
            return settings;
        }
        boolean ratiosFromCommandLine = current.setByCommandLine("MinHeapFreeRatio")
                || current.setByCommandLine("MaxHeapFreeRatio");
        if (!ratiosFromCommandLine) {
            settings.add(new String[] {"MinHeapFreeRatio", MIN_FREE});
            settings.add(new String[] {"MaxHeapFreeRatio", MAX_FREE});
        }
        return settings;
    }

    /** The JVM's flags, seen through an interface so that the choice can be tested without a JVM per case. */
    interface VMOptions {
        boolean setByCommandLine(String name);

        /** @throws IllegalArgumentException (or another runtime exception) when the flag cannot be set */
        void set(String name, String value);
    }

    private RunTimeHeap() {
    }

    /**
     * Applies the settings for this JVM's collector and role and collects once when it changed any; starts the
     * native heap trim where the JVM does not trim. {@code log} gets one line when a flag cannot be set (naming the
     * flags and why), nothing otherwise.
     */
    public static void tighten(Consumer<String> log, Role role) {
        HotSpotDiagnosticMXBean hotSpot;
        try {
            hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            log.accept("cannot tune the balancer's heap at run time (" + e + "); give it heap flags of its own");
            return;
        }
        if (hotSpot == null) {
            log.accept("cannot tune the balancer's heap at run time (not a HotSpot JVM)");
            return;
        }
        Collector collector;
        try {
            collector = Collector.of(ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName).toList());
        } catch (RuntimeException | LinkageError e) {
            log.accept("cannot tune the balancer's heap at run time (" + e + "); give it heap flags of its own");
            return;
        }
        List<String[]> settings = settings(collector, role, hotSpot(hotSpot));
        if (!settings.isEmpty()) {
            apply(settings, hotSpot(hotSpot), log);
            System.gc(); // the heap shrinks to what is live now; the young generation with it
        }
        NativeHeapTrim.startUnlessTheJvmTrims(hotSpot, log);
    }

    /** Whether this JVM has the flag {@code name} (HotSpot; false where it cannot tell). */
    public static boolean hasFlag(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name) != null;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static void apply(List<String[]> settings, VMOptions options, Consumer<String> log) {
        List<String> failed = new ArrayList<>();
        for (String[] setting : settings) {
            try {
                options.set(setting[0], setting[1]);
            } catch (RuntimeException e) {
                failed.add(setting[0] + "=" + setting[1] + " (" + e.getMessage() + ")");
            }
        }
        if (!failed.isEmpty()) {
            log.accept("could not set " + String.join(", ", failed) + " at run time: the balancer's heap keeps the"
                    + " JVM's sizing (give -XX:MaxHeapFreeRatio=30 or a small -Xmx to bound it)");
        }
    }

    private static VMOptions hotSpot(HotSpotDiagnosticMXBean hotSpot) {
        return new VMOptions() {
            @Override
            public boolean setByCommandLine(String name) {
                try {
                    VMOption option = hotSpot.getVMOption(name);
                    return option.getOrigin() == VMOption.Origin.VM_CREATION
                            || option.getOrigin() == VMOption.Origin.ENVIRON_VAR
                            || option.getOrigin() == VMOption.Origin.CONFIG_FILE;
                } catch (IllegalArgumentException e) {
                    return false; // no such flag in this JVM: set() says so
                }
            }

            @Override
            public void set(String name, String value) {
                hotSpot.setVMOption(name, value);
            }
        };
    }
}
