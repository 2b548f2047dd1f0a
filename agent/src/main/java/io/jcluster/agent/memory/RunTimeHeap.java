package io.jcluster.agent.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets a Serial heap follow the balancer's live data: lowers the manageable flags {@code MinHeapFreeRatio}/{@code
 * MaxHeapFreeRatio} (JDK 17 and 25) so that a full collection gives memory back, and collects once after start-up.
 * A flag the command line set itself is left as it is; a flag that cannot be set is said in one line. {@code -Xms}
 * keeps its meaning: the heap never shrinks below it.
 *
 * <p>Nothing is changed under G1 or Parallel (the parent inherits the app's collector): measured with the app's
 * {@code -Xmx4g} on G1, the same ratios (and {@code G1PeriodicGCInterval}) shrank the parent's heap to 18-24 MiB
 * after the collection, and under 2,000 connections G1 then expanded it to 200 MiB for GC time (its
 * {@code GCTimeRatio} is not manageable) and sized the young generation to 84 MiB in it: more RSS than G1 left alone
 * (bench/RESULTS.md "Memory"). Parallel's adaptive sizing ignores the ratios.
 */
public final class RunTimeHeap {

    /** Free heap after a collection, in %: below the minimum the heap grows, above the maximum it shrinks. */
    static final String MIN_FREE = "10";
    static final String MAX_FREE = "30";
    /** The flag settings, in the order they must be made (the minimum may never exceed the maximum). */
    static List<String[]> settings(boolean serial, VMOptions current) {
        List<String[]> settings = new ArrayList<>();
        if (!serial) {
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
     * Under Serial (its old collector is "MarkSweepCompact"), applies the settings and collects once. {@code log} gets one line when a flag cannot be set (naming the
     * flags and why), nothing otherwise.
     */
    public static void tighten(Consumer<String> log) {
        if (ManagementFactory.getGarbageCollectorMXBeans().stream()
                .noneMatch(gc -> gc.getName().equals("MarkSweepCompact"))) {
            return;
        }
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
        List<String[]> settings = settings(true, hotSpot(hotSpot));
        if (settings.isEmpty()) {
            return;
        }
        apply(settings, hotSpot(hotSpot), log);
        System.gc(); // the heap shrinks to what is live now; the young generation with it
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
