package io.jcluster.agent.standalone;

import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code java -jar jcluster.jar balance ...} started with the JVM's defaults sizes its heap for a big application
 * (1/64 of the machine's memory to start, G1): 100-300 MiB of RSS for ~15 MiB of live data. Where the JVM can replace
 * its own process image (JDK 22+: {@code execve} through the foreign function API, with native access granted, as
 * the jar's manifest does for {@code -jar}), the balancer restarts itself once, in the same process (same pid,
 * signals and exit status are the process's own), with flags chosen for a proxy: {@link #FLAGS}. Every flag the
 * user gave is kept, after these, so it wins; a flag of ours in a family the user set (a collector, a heap size) is
 * left out. The environment variable {@link #MARKER} says the restart happened (never twice) and which flags it
 * added; {@code JCLUSTER_BALANCE_JVM=keep} turns the restart off. Elsewhere (JDK 17-21) the balancer runs as
 * started, {@link io.jcluster.agent.memory.RunTimeHeap} tunes what can be tuned at run time, and {@link #advice}
 * names the flags to give it.
 */
public final class OwnJvmFlags {

    /** Set in the restarted JVM's environment to the flags the restart added. */
    public static final String MARKER = "JCLUSTER_BALANCE_JVM_FLAGS";
    /** {@code JCLUSTER_BALANCE_JVM=keep}: no restart. */
    public static final String SWITCH = "JCLUSTER_BALANCE_JVM";

    /**
     * Flags of ours that go together, and the user flags that replace them all (a family: any collector, any heap
     * size; both heap free ratios, since a minimum of ours above the user's maximum would not start).
     */
    record Flag(List<String> flags, Pattern replacedBy) {
        Flag(String flag, Pattern replacedBy) {
            this(List.of(flag), replacedBy);
        }
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
            new Flag("-XX:+UseSerialGC", Pattern.compile("-XX:[+-]Use\\w*GC")),
            new Flag("-Xms8m", Pattern.compile("-Xm[sx].*|-XX:(Initial|Min|Max)HeapSize=.*|-XX:\\w*RAM(Percentage)?=.*")),
            new Flag(List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"),
                    Pattern.compile("-XX:M(in|ax)HeapFreeRatio=.*")),
            new Flag("-XX:TrimNativeHeapInterval=1000", Pattern.compile("-XX:TrimNativeHeapInterval=.*")),
            new Flag("-XX:-TieredCompilation", Pattern.compile("-XX:[+-]TieredCompilation|-XX:TieredStopAtLevel=.*")));

    private OwnJvmFlags() {
    }

    /** The flags of ours that go before the user's (none the user's flags replace). */
    static List<String> added(List<String> userFlags) {
        List<String> added = new ArrayList<>();
        for (Flag flag : FLAGS) {
            if (userFlags.stream().noneMatch(user -> flag.replacedBy().matcher(user).matches())) {
                added.addAll(flag.flags());
            }
        }
        return added;
    }

    /** The restarted command line: java, our flags, the user's (which win), -jar, the jar, balance and its args. */
    static List<String> command(String java, List<String> userFlags, String jar, List<String> balanceArgs) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(added(userFlags));
        command.addAll(userFlags);
        command.add("-jar");
        command.add(jar);
        command.add("balance");
        command.addAll(balanceArgs);
        return command;
    }

    /**
     * Where no restart is possible (JDK 17-21): one line naming the flags the user could give instead, or null when
     * there is nothing to suggest. A flag this JVM does not have ({@code TrimNativeHeapInterval} before 17.0.9) is
     * left out: the suggested command line must start.
     */
    static String advice(int feature, Map<String, String> environment, List<String> userFlags,
            java.util.function.Predicate<String> jvmHasFlag) {
        if (feature >= 22 || restarted(environment) || "keep".equals(environment.get(SWITCH))) {
            return null;
        }
        List<String> flags = new ArrayList<>();
        for (String flag : added(userFlags)) {
            String name = flag.replaceFirst("^-XX:[+-]?", "").replaceFirst("=.*", "");
            if (!flag.startsWith("-XX:") || jvmHasFlag.test(name)) {
                flags.add(flag);
            }
        }
        return flags.isEmpty() ? null : "JDK " + feature + " cannot restart the balancer with JVM flags of its own"
                + " (JDK 22+ does): for 15-30 MiB less resident memory give it " + String.join(" ", flags)
                + " before -jar (" + SWITCH + "=keep: no such line)";
    }

    /** Whether to restart: not restarted yet, not switched off, and there is something to add. */
    static boolean wanted(Map<String, String> environment, List<String> userFlags) {
        return !restarted(environment) && !"keep".equals(environment.get(SWITCH)) && !added(userFlags).isEmpty();
    }

    /** Whether this JVM is the restarted one (its flags were chosen: nothing to tune at run time). */
    public static boolean restarted(Map<String, String> environment) {
        return environment.containsKey(MARKER);
    }

    /**
     * Restarts the balancer in this process with its own flags where it can; returns (nothing happened) where it
     * cannot or need not. {@code note} gets one line when a restart was attempted and failed.
     */
    public static void restartIfUseful(String[] balanceArgs, java.util.function.Consumer<String> note) {
        Map<String, String> environment = new TreeMap<>(System.getenv());
        if (Runtime.version().feature() < 22 || restarted(environment) || !nativeAccessEnabled()) {
            return; // checked before the JMX call below: the restarted JVM loads none of java.management
        }
        List<String> userFlags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!wanted(environment, userFlags)) {
            return;
        }
        Optional<String> jar = ownJar();
        if (jar.isEmpty()) {
            return; // not started with -jar jcluster.jar (a test's class path): nothing to restart
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> added = added(userFlags);
        environment.put(MARKER, String.join(" ", added));
        // the JVM put these into getInputArguments() already; passed on again they would apply twice
        environment.remove("JDK_JAVA_OPTIONS");
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("_JAVA_OPTIONS");
        List<String> command = command(java, userFlags, jar.get(), List.of(balanceArgs));
        List<String> env = new ArrayList<>();
        environment.forEach((key, value) -> env.add(key + "=" + value));
        try {
            System.out.flush();
            System.err.flush();
            int result = Execve.call(java, command, env);
            note.accept("could not restart with " + String.join(" ", added) + " (execve returned " + result
                    + "); running with the JVM's flags as started");
        } catch (Throwable e) {
            note.accept("could not restart with " + String.join(" ", added) + " (" + e
                    + "); running with the JVM's flags as started");
        }
    }

    /** The path of the jar this class came from, when the JVM was started with -jar on it. */
    private static Optional<String> ownJar() {
        try {
            Path jar = Path.of(OwnJvmFlags.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String classPath = System.getProperty("java.class.path", "");
            if (!jar.toString().endsWith(".jar") || !Path.of(classPath).toAbsolutePath().equals(jar.toAbsolutePath())) {
                return Optional.empty();
            }
            return Optional.of(jar.toString());
        } catch (Exception | LinkageError e) {
            return Optional.empty();
        }
    }

    private static boolean nativeAccessEnabled() {
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(OwnJvmFlags.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code execve(2)} through java.lang.foreign (JDK 22+), by reflection: the agent compiles for JDK 17. Returns
     * only when the call failed.
     */
    static final class Execve {
        private Execve() {
        }

        static int call(String path, List<String> argv, List<String> env) throws Throwable {
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutType = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> addressLayoutType = Class.forName("java.lang.foreign.AddressLayout");
            Class<?> arenaType = Class.forName("java.lang.foreign.Arena");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> allocatorType = Class.forName("java.lang.foreign.SegmentAllocator");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");

            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Object symbol = ((Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "execve"))
                    .orElseThrow(() -> new IllegalStateException("no execve in the C library"));
            Object address = valueLayoutType.getField("ADDRESS").get(null);
            Object javaInt = valueLayoutType.getField("JAVA_INT").get(null);
            Object arguments = Array.newInstance(layoutType, 3);
            for (int i = 0; i < 3; i++) {
                Array.set(arguments, i, address);
            }
            Object descriptor = descriptorType.getMethod("of", layoutType, arguments.getClass())
                    .invoke(null, javaInt, arguments);
            MethodHandle execve = (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                    Array.newInstance(optionType, 0).getClass())
                    .invoke(linker, symbol, descriptor, Array.newInstance(optionType, 0));
            Object arena = arenaType.getMethod("global").invoke(null); // the process image goes, or we fail once
            Method allocateString = allocatorType.getMethod("allocateFrom", String.class);
            Method allocateArray = allocatorType.getMethod("allocate", layoutType, long.class);
            Method setAddress = segmentType.getMethod("setAtIndex", addressLayoutType, long.class, segmentType);
            Object nullSegment = segmentType.getField("NULL").get(null);
            Object[] strings = new Object[2];
            List<List<String>> lists = List.of(argv, env);
            for (int which = 0; which < 2; which++) {
                List<String> list = lists.get(which);
                Object array = allocateArray.invoke(arena, address, (long) list.size() + 1);
                for (int i = 0; i < list.size(); i++) {
                    setAddress.invoke(array, address, (long) i, allocateString.invoke(arena, list.get(i)));
                }
                setAddress.invoke(array, address, (long) list.size(), nullSegment);
                strings[which] = array;
            }
            Object file = allocateString.invoke(arena, path);
            return (int) execve.invokeWithArguments(file, strings[0], strings[1]);
        }
    }
}
