package io.jcluster.agent.standalone;

import io.jcluster.agent.memory.BalancerJvmFlags;
import io.jcluster.agent.memory.Execve;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code java -jar jcluster.jar balance ...} started with the JVM's defaults sizes its heap for a big application
 * (1/64 of the machine's memory to start, G1): 100-300 MiB of RSS for ~15 MiB of live data. Where the JVM can replace
 * its own process image (JDK 22+: {@code execve} through the foreign function API, with native access granted, as
 * the jar's manifest does for {@code -jar}), the balancer restarts itself once, in the same process (same pid,
 * signals and exit status are the process's own), with flags chosen for a proxy ({@link BalancerJvmFlags}). Every flag the
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

    private OwnJvmFlags() {
    }

    /** The flags of ours that go before the user's (none the user's flags replace). */
    static List<String> added(List<String> userFlags) {
        return BalancerJvmFlags.beforeUsers(userFlags);
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
        if (!Execve.available() || restarted(environment) || !Execve.nativeAccessEnabled()) {
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
        try {
            int result = Execve.replaceProcess(java, command, environment);
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
}
