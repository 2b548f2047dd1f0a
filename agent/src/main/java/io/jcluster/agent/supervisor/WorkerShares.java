package io.jcluster.agent.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each of N workers gets of the machine when the user did not say: N JVMs that each believe they own every
 * processor and a quarter of the RAM would oversubscribe both. So, unless the command line (or JAVA_TOOL_OPTIONS,
 * JDK_JAVA_OPTIONS, _JAVA_OPTIONS) already chooses,
 * <ul>
 *   <li>{@code -XX:ActiveProcessorCount=<processors / N>} (at least 1): thread-pool-per-core frameworks (Netty,
 *       Vert.x, Tomcat, ForkJoinPool, the GC's threads) size themselves to their share;</li>
 *   <li>{@code -XX:MaxRAMPercentage=<25 / N>}: the JVM's own default heap (25% of the RAM it may use, container
 *       limits included) split N ways, computed by each worker's JVM itself.</li>
 * </ul>
 * Processors are the parent JVM's {@code availableProcessors()}, which honours cgroup limits and CPU affinity.
 */
public record WorkerShares(List<String> flags, List<String> notes) {

    /** The JVM's default MaxRAMPercentage. */
    static final double JVM_DEFAULT_RAM_PERCENTAGE = 25.0;

    private static final List<String> PROCESSOR_OPTIONS = List.of("-XX:ActiveProcessorCount=");
    private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAM=",
            "-XX:MaxRAMPercentage=", "-XX:MaxRAMFraction=", "-XX:MinRAMPercentage=", "-XX:MinRAMFraction=");
    private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    public WorkerShares {
        flags = List.copyOf(flags);
        notes = List.copyOf(notes);
    }

    /**
     * @param parentArgv    the parent's argv (its JVM options are the workers')
     * @param environment   the parent's environment (the workers inherit it)
     * @param workers       how many workers
     * @param processors    the processors this JVM may use
     * @param parentMaxHeap this JVM's max heap, for the note (with no heap option it is the JVM's default)
     */
    public static WorkerShares of(List<String> parentArgv, Map<String, String> environment, int workers,
                                  int processors, long parentMaxHeap) {
        List<String> userOptions = userOptions(parentArgv, environment);
        List<String> flags = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (workers > 1 && !anyStartsWith(userOptions, PROCESSOR_OPTIONS)) {
            int share = Math.max(1, processors / workers);
            flags.add("-XX:ActiveProcessorCount=" + share);
            notes.add("each worker runs with -XX:ActiveProcessorCount=" + share + " (" + processors + " processor"
                    + (processors == 1 ? "" : "s") + " shared by " + workers + " workers; give"
                    + " -XX:ActiveProcessorCount to choose)");
        }
        if (workers > 1 && !anyStartsWith(userOptions, HEAP_OPTIONS)) {
            String percentage = percentage(JVM_DEFAULT_RAM_PERCENTAGE / workers);
            flags.add("-XX:MaxRAMPercentage=" + percentage);
            notes.add("each worker runs with -XX:MaxRAMPercentage=" + percentage + ": max heap about "
                    + mebibytes(parentMaxHeap / workers) + " MiB (no -Xmx given: the JVM's default of 25% of RAM"
                    + " split " + workers + " ways; give -Xmx to choose)");
        }
        return new WorkerShares(flags, notes);
    }

    /** JVM options the user gave: those before the main class, and those of the JVM's option variables. */
    static List<String> userOptions(List<String> argv, Map<String, String> environment) {
        List<String> options = new ArrayList<>(argv.subList(Math.min(1, argv.size()),
                WorkerCommand.launcherOptionsEnd(argv)));
        for (String variable : OPTION_VARIABLES) {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                options.addAll(List.of(value.trim().split("\\s+")));
            }
        }
        return options;
    }

    private static boolean anyStartsWith(List<String> options, List<String> prefixes) {
        return options.stream().anyMatch(option -> prefixes.stream().anyMatch(option::startsWith));
    }

    /** 12.5 -> "12.5", 25/3 -> "8.333", 5 -> "5". */
    static String percentage(double value) {
        String text = String.format(Locale.ROOT, "%.3f", value);
        text = text.replaceAll("0+$", "");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    private static long mebibytes(long bytes) {
        return bytes / (1024 * 1024);
    }
}
