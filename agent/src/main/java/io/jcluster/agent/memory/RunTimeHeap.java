package io.jcluster.agent.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lets the balancer's heap follow its live data instead of the app's sizing: the parent inherits the app's
 * {@code -Xmx4g}, and a JVM with no flags starts with 1/64 of the machine's memory as its heap, whose young
 * generation gets touched page by page before the first collection (100-300 MiB of RSS for ~15 MiB of live data).
 * The manageable flags {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio} (honoured by Serial and G1, on JDK 17 and
 * 25) are lowered so that a collection gives memory back, G1's {@code G1PeriodicGCInterval} makes an idle G1 heap
 * shrink too, and one full collection after start-up shrinks it now. A flag the command line set itself is left
 * as it is; a flag that cannot be set is said in one line. {@code -Xms} (with {@code AlwaysPreTouch}) keeps its
 * meaning: the heap never shrinks below it.
 */
public final class RunTimeHeap {

    /** Free heap after a collection, in %: below the minimum the heap grows, above the maximum it shrinks. */
    static final String MIN_FREE = "10";
    static final String MAX_FREE = "30";
    /** An idle G1 heap runs a concurrent cycle (and shrinks) once per this many ms without a collection. */
    static final String G1_PERIOD_MS = "60000";

    /** The flag settings, in the order they must be made (the minimum may never exceed the maximum). */
    static List<String[]> settings(boolean g1, VMOptions current) {
        List<String[]> settings = new ArrayList<>();
        boolean ratiosFromCommandLine = current.setByCommandLine("MinHeapFreeRatio")
                || current.setByCommandLine("MaxHeapFreeRatio");
        if (!ratiosFromCommandLine) {
            settings.add(new String[] {"MinHeapFreeRatio", MIN_FREE});
            settings.add(new String[] {"MaxHeapFreeRatio", MAX_FREE});
        }
        if (g1 && !current.setByCommandLine("G1PeriodicGCInterval")) {
            settings.add(new String[] {"G1PeriodicGCInterval", G1_PERIOD_MS});
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
     * Applies the settings and collects once. {@code log} gets one line when a flag cannot be set (naming the
     * flags and why), nothing otherwise.
     */
    public static void tighten(Consumer<String> log) {
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
        boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().startsWith("G1"));
        apply(settings(g1, hotSpot(hotSpot)), hotSpot(hotSpot), log);
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
