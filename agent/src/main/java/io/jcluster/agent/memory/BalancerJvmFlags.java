package io.jcluster.agent.memory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags a balancer JVM chooses for itself when it restarts in the same process ({@link Execve}): the
 * standalone balancer (its user's flags win) and the agent's parent (its heap and collector flags replace the app's,
 * which sized them for the app; the app's other flags stay).
 */
public final class BalancerJvmFlags {

    /**
     * Flags of ours that go together, the flags of anyone else's that set the same thing (a family: any collector,
     * any heap size; both heap free ratios, since a minimum of ours above someone's maximum would not start), and
     * whether the family is the heap's (the parent's own beats the app's there).
     */
    record Flag(List<String> flags, Pattern replacedBy, boolean heap) {
    }

    /**
     * Serial: no concurrent GC threads, no remembered sets, a heap that grows with live data from 8 MiB (the heap
     * stays unbounded above: 10,000 connections need ~40 MiB live) and, with 10-30% free after a collection, shrinks
     * back when connections go (given here rather than at run time: setting them at run time loads JMX, 300+ classes
     * of metaspace). Native heap trimmed every second: compiler arenas and freed Netty buffers go back to the OS
     * instead of staying in glibc's arenas. C2 alone ({@code -TieredCompilation}): the same C2 code once warm, without
     * C1's profiled code and the C1 compilations of start-up (~10 MiB less code cache and compiler memory); warm-up
     * takes longer (the interpreter profiles). Measured in bench/RESULTS.md ("Memory").
     */
    static final List<Flag> FLAGS = List.of(
            new Flag(List.of("-XX:+UseSerialGC"), Pattern.compile("-XX:[+-]Use\\w*GC"), true),
            new Flag(List.of("-Xms8m"),
                    Pattern.compile("-Xm[sx].*|-XX:(Initial|Min|Max)HeapSize=.*|-XX:\\w*RAM(Percentage)?=.*"), true),
            new Flag(List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"),
                    Pattern.compile("-XX:M(in|ax)HeapFreeRatio=.*"), true),
            new Flag(List.of("-XX:TrimNativeHeapInterval=1000"), Pattern.compile("-XX:TrimNativeHeapInterval=.*"),
                    false),
            new Flag(List.of("-XX:-TieredCompilation"),
                    Pattern.compile("-XX:[+-]TieredCompilation|-XX:TieredStopAtLevel=.*"), false));

    /** A young generation size the app chose: under Serial it would fix the parent's young generation's size. */
    private static final Pattern YOUNG_SIZE = Pattern.compile("-Xmn.*|-XX:(Max)?NewSize=.*");

    /** A collector someone chose: {@code -XX:+UseG1GC}, {@code -XX:+UseZGC}, ... */
    private static final Pattern COLLECTOR = Pattern.compile("-XX:\\+Use(\\w+)GC");

    private BalancerJvmFlags() {
    }

    /** The standalone balancer's flags that go before the user's: those of families the user did not set. */
    public static List<String> beforeUsers(List<String> userFlags) {
        List<String> added = new ArrayList<>();
        for (Flag flag : FLAGS) {
            if (!anyMatches(userFlags, flag.replacedBy())) {
                added.addAll(flag.flags());
            }
        }
        return added;
    }

    /**
     * The parent's flags, to go after the app's (the later of two settings wins): the heap and collector families
     * always, the others where the app did not set them. A collector the app turned on is turned off first (two
     * collectors do not start); so is {@code AlwaysPreTouch} (it would touch a heap the parent does not use), and a young
     * generation size of the app's starts small. The app's {@code -Xmx} stays: the heap starts at 8 MiB and grows
     * with live data only.
     */
    public static List<String> overApps(List<String> appFlags) {
        Set<String> added = new LinkedHashSet<>();
        for (String app : appFlags) {
            Matcher collector = COLLECTOR.matcher(app);
            if (collector.matches() && !collector.group(1).equals("Serial")) {
                added.add("-XX:-Use" + collector.group(1) + "GC");
            }
        }
        if (appFlags.contains("-XX:+AlwaysPreTouch")) {
            added.add("-XX:-AlwaysPreTouch");
        }
        if (anyMatches(appFlags, YOUNG_SIZE)) {
            // -Xmn2g is a 2 GiB young generation from the start; the app's maximum may stay: Serial grows the young
            // generation with the old one only (a third of it by default), from this start
            added.add("-XX:NewSize=2m");
        }
        for (Flag flag : FLAGS) {
            if (flag.heap() || !anyMatches(appFlags, flag.replacedBy())) {
                added.addAll(flag.flags());
            }
        }
        return List.copyOf(added);
    }

    private static boolean anyMatches(List<String> flags, Pattern family) {
        return flags.stream().anyMatch(flag -> family.matcher(flag).matches());
    }
}
