package io.jcluster.agent.memory;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's parent never runs the app, yet starts with the app's JVM flags: {@code -Xmx4g} under G1 or Parallel
 * sizes a young generation for the app, 120-165 MiB of RSS for a balancer with ~15 MiB of live data. On JDK 22+ the
 * parent restarts itself once, in the same process ({@link Execve}: same pid, same descriptors, same place under
 * systemd or PM2), before it does anything else, with its own heap and collector ({@link BalancerJvmFlags#overApps}).
 *
 * <p>The flags go on the restarted command line after the JVM options, before {@code -jar}, {@code -m} or the
 * main class ({@link JavaLauncherArgs}): they win over the app's command line, {@code JDK_JAVA_OPTIONS} and
 * {@code JAVA_TOOL_OPTIONS}, and the JVM prints nothing about them. Where the command line cannot be read that way
 * (an {@code @argfile}) or the app has {@code _JAVA_OPTIONS}, which the JVM reads last, they go at the end of
 * {@code _JAVA_OPTIONS} instead (the JVM then says {@code Picked up _JAVA_OPTIONS} once per image). The workers get
 * the command line ({@link #appCommandLine}) and environment ({@link #appEnvironment}) the parent was started with.
 *
 * <p>The marker ({@link #MARKER}) holds the pid it was set for: a JVM whose pid differs (one the app's environment
 * or a worker's app passed it on to) ignores it, so a copied marker neither stops a parent's restart nor tells any
 * other JVM it restarted. Whether a JVM is a worker is decided before this and by other means (its control socket
 * and secret); the marker is read only in a parent.
 *
 * <p>On by default where it can be (JDK 22+, Linux); {@code JCLUSTER_PARENT_JVM=keep} keeps the app's flags.
 */
public final class ParentRestart {

    /**
     * Set in the restarted parent's environment: its pid, where the flags went (their index on the command line, or
     * the app's {@code _JAVA_OPTIONS} they were put after), the flags added.
     */
    public static final String MARKER = "JCLUSTER_PARENT_JVM_FLAGS";
    /**
     * Set in the restarted parent's environment: its pid and the private directory the image before the restart
     * prepared for it ({@link #handedOver}).
     */
    public static final String HAND_OVER = "JCLUSTER_PARENT_DIRECTORY";
    /** {@code JCLUSTER_PARENT_JVM=keep}: no restart; unset or {@code own}: restart with flags of its own. */
    public static final String SWITCH = "JCLUSTER_PARENT_JVM";
    static final String OWN = "own";
    static final String KEEP = "keep";
    static final String JAVA_OPTIONS = "_JAVA_OPTIONS";
    /** The marker's stand-in for "the app had no _JAVA_OPTIONS". */
    private static final String NONE = "-";
    /** The marker's prefix for "the flags are on the command line, from this index". */
    private static final String ARGV = "argv:";

    /**
     * What a valid marker says: the flags added, and where: at {@code argvIndex} of the command line, or (-1) after
     * {@code appJavaOptions} in {@code _JAVA_OPTIONS}.
     */
    record Restart(String appJavaOptions, int argvIndex, String flags) {
    }

    private ParentRestart() {
    }

    /** The marker for a restart of process {@code pid} adding {@code flags} to its command line at {@code index}. */
    static String argvMarker(long pid, int index, List<String> flags) {
        return pid + " " + ARGV + index + " " + String.join(" ", flags);
    }

    /** The marker for a restart of process {@code pid} adding {@code flags}, the app's _JAVA_OPTIONS kept in it. */
    static String marker(long pid, String appJavaOptions, List<String> flags) {
        String options = appJavaOptions == null ? NONE
                : Base64.getUrlEncoder().encodeToString(appJavaOptions.getBytes(StandardCharsets.UTF_8));
        return pid + " " + options + " " + String.join(" ", flags);
    }

    /** The restart this process made, if the environment's marker was set for {@code pid}. */
    static Optional<Restart> restart(Map<String, String> environment, long pid) {
        String marker = environment.get(MARKER);
        if (marker == null) {
            return Optional.empty();
        }
        String[] parts = marker.split(" ", 3);
        if (parts.length < 3 || !parts[0].equals(Long.toString(pid))) {
            return Optional.empty();
        }
        try {
            if (parts[1].startsWith(ARGV)) {
                int index = Integer.parseInt(parts[1].substring(ARGV.length()));
                return index < 1 ? Optional.empty() : Optional.of(new Restart(null, index, parts[2]));
            }
            String options = parts[1].equals(NONE) ? null
                    : new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            return Optional.of(new Restart(options, -1, parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The flags this parent restarted with, or null when it did not (or the marker is another process's). */
    public static String restartedWith() {
        return restart(System.getenv(), ProcessHandle.current().pid()).map(Restart::flags).orElse(null);
    }

    /**
     * The directory the image before this process's restart prepared for it, or empty when it did not restart (or
     * the value is another process's: it names the pid it was set for, as the marker does).
     */
    public static Optional<Path> handedOver() {
        return handedOver(System.getenv(), ProcessHandle.current().pid());
    }

    static Optional<Path> handedOver(Map<String, String> environment, long pid) {
        String value = environment.get(HAND_OVER);
        String prefix = pid + " ";
        if (value == null || !value.startsWith(prefix) || value.length() == prefix.length()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(value.substring(prefix.length())));
    }

    /**
     * The environment the app was started with, for the workers: the marker and the hand-over removed and, after
     * this process's own restart, {@code _JAVA_OPTIONS} as the app had it.
     */
    public static Map<String, String> appEnvironment(Map<String, String> environment) {
        return appEnvironment(environment, ProcessHandle.current().pid());
    }

    static Map<String, String> appEnvironment(Map<String, String> environment, long pid) {
        Optional<Restart> restart = restart(environment, pid);
        if (environment.get(MARKER) == null && environment.get(HAND_OVER) == null) {
            return environment;
        }
        Map<String, String> app = new HashMap<>(environment);
        app.remove(MARKER);
        app.remove(HAND_OVER);
        restart.filter(own -> own.argvIndex() < 0).ifPresent(own -> {
            if (own.appJavaOptions() == null) {
                app.remove(JAVA_OPTIONS);
            } else {
                app.put(JAVA_OPTIONS, own.appJavaOptions());
            }
        });
        return app;
    }

    /**
     * The command line the app was started with, for the workers: after this process's own restart, without the
     * flags the restart put on it.
     */
    public static List<String> appCommandLine(List<String> argv) {
        return appCommandLine(argv, System.getenv(), ProcessHandle.current().pid());
    }

    static List<String> appCommandLine(List<String> argv, Map<String, String> environment, long pid) {
        Optional<Restart> restart = restart(environment, pid).filter(own -> own.argvIndex() > 0);
        if (restart.isEmpty()) {
            return argv;
        }
        List<String> flags = List.of(restart.get().flags().split(" "));
        int from = restart.get().argvIndex();
        if (from + flags.size() > argv.size() || !argv.subList(from, from + flags.size()).equals(flags)) {
            return argv; // not the command line the marker was made for
        }
        List<String> app = new java.util.ArrayList<>(argv.subList(0, from));
        app.addAll(argv.subList(from + flags.size(), argv.size()));
        return app;
    }

    /** The restarted command line: {@code argv} with {@code flags} at {@code index}, before what starts the app. */
    static List<String> restartCommandLine(List<String> argv, int index, List<String> flags) {
        List<String> restarted = new java.util.ArrayList<>(argv.subList(0, index));
        restarted.addAll(flags);
        restarted.addAll(argv.subList(index, argv.size()));
        return restarted;
    }

    /** The restarted JVM's environment with the flags on its command line: the app's and the marker. */
    static Map<String, String> restartEnvironment(Map<String, String> environment, long pid, int index,
                                                  List<String> flags) {
        Map<String, String> restarted = new HashMap<>(environment);
        restarted.put(MARKER, argvMarker(pid, index, flags));
        return restarted;
    }

    /**
     * Where the flags go on {@code argv}: the index before what starts the app, or -1 when they go in
     * {@code _JAVA_OPTIONS} (the app has some, which the JVM reads after the command line; or the command line has
     * an {@code @argfile}).
     */
    static int flagsIndex(List<String> argv, Map<String, String> environment) {
        String appOptions = environment.get(JAVA_OPTIONS);
        return appOptions != null && !appOptions.isBlank() ? -1 : JavaLauncherArgs.jvmOptionsEnd(argv);
    }

    /** The restarted JVM's environment: the app's, with our flags after the app's _JAVA_OPTIONS, and the marker. */
    static Map<String, String> restartEnvironment(Map<String, String> environment, long pid, List<String> flags) {
        Map<String, String> restarted = new HashMap<>(environment);
        String appOptions = environment.get(JAVA_OPTIONS);
        String ours = String.join(" ", flags);
        restarted.put(JAVA_OPTIONS, appOptions == null || appOptions.isBlank() ? ours : appOptions + " " + ours);
        restarted.put(MARKER, marker(pid, appOptions, flags));
        return restarted;
    }

    /** Whether to restart: not restarted yet, not switched off (nor given a word that is no choice), and some flag of
     * ours is not the app's already. */
    static boolean wanted(Map<String, String> environment, long pid, List<String> appFlags) {
        String choice = environment.get(SWITCH);
        return restart(environment, pid).isEmpty() && (choice == null || OWN.equals(choice))
                && !appFlags.containsAll(BalancerJvmFlags.overApps(appFlags));
    }

    /**
     * Restarts the parent in this process with its own flags where it can (JDK 22+); returns where it cannot or need
     * not ({@code note} gets one line when a restart was attempted and failed). Call it before the parent starts any
     * thread of its own or opens anything: the image is replaced as it is.
     *
     * @param prepare run once the restart is decided, before it: a directory of work done for the restarted image
     *                (it finds it with {@link #handedOver}), or null for none
     * @return the directory {@code prepare} made when the restart failed after it: this image's own to use then
     */
    public static Optional<Path> restartIfUseful(Instrumentation instrumentation, Consumer<String> note,
                                                 Supplier<Path> prepare) {
        Map<String, String> environment = System.getenv();
        long pid = ProcessHandle.current().pid();
        String choice = environment.get(SWITCH);
        if (choice != null && !choice.equals(OWN) && !choice.equals(KEEP)) {
            note.accept(SWITCH + "=" + choice + " is not a choice: give " + SWITCH + "=own (the parent restarts"
                    + " with JVM flags of its own on JDK 22+, the default) or keep (the app's flags); it runs with the"
                    + " app's");
            return Optional.empty();
        }
        if (KEEP.equals(choice) || !Execve.available() || restart(environment, pid).isPresent()) {
            return Optional.empty(); // checked before the JMX call below: a JVM that does not restart loads none of it
        }
        List<String> appFlags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!wanted(environment, pid, appFlags)) {
            return Optional.empty();
        }
        List<String> flags = BalancerJvmFlags.overApps(appFlags);
        String failure;
        Path prepared = null;
        try {
            Path java = Files.readSymbolicLink(Path.of("/proc/self/exe")); // the binary running, whatever PATH said
            List<String> argv = Files.isReadable(Path.of("/proc/self/cmdline"))
                    ? splitNul(Files.readAllBytes(Path.of("/proc/self/cmdline"))) : List.of();
            if (argv.isEmpty()) {
                return Optional.empty(); // not Linux: no restart
            }
            if (!Execve.enableNativeAccess(instrumentation)) {
                note.accept("the parent could not restart with JVM flags of its own (no native access: give"
                        + " --enable-native-access=ALL-UNNAMED); it runs with the app's");
                return Optional.empty();
            }
            prepared = prepare.get();
            Execve.closeOnExec(ownFiles(openFiles(), System.getProperty("java.home")));
            int index = flagsIndex(argv, environment);
            Map<String, String> restarted = index < 0 ? restartEnvironment(environment, pid, flags)
                    : restartEnvironment(environment, pid, index, flags);
            if (prepared != null) {
                restarted.put(HAND_OVER, pid + " " + prepared);
            }
            List<String> command = index < 0 ? argv : restartCommandLine(argv, index, flags);
            int result = Execve.replaceProcess(java.toString(), command, restarted);
            failure = "execve returned " + result;
        } catch (Throwable e) {
            failure = e.toString();
        }
        note.accept("the parent could not restart with JVM flags of its own " + String.join(" ", flags) + " ("
                + failure + "); it runs with the app's");
        return Optional.ofNullable(prepared);
    }

    /**
     * The descriptors this JVM opened for itself, which the restarted image would inherit unused: jars (the agent's,
     * the class path's) and files of the JDK. Sockets, pipes, terminals and any other file the process was started
     * with (a socket-activated listener, a lock) stay inherited.
     *
     * @param openFiles descriptor -> what /proc/self/fd says it is
     */
    static List<Integer> ownFiles(Map<Integer, String> openFiles, String javaHome) {
        List<Integer> own = new java.util.ArrayList<>();
        String jdk = javaHome == null ? null : Path.of(javaHome).toAbsolutePath() + "/";
        openFiles.forEach((fd, target) -> {
            boolean jar = target.startsWith("/") && target.endsWith(".jar");
            if (fd > 2 && (jar || jdk != null && target.startsWith(jdk))) {
                own.add(fd);
            }
        });
        own.sort(null);
        return own;
    }

    private static Map<Integer, String> openFiles() {
        Map<Integer, String> files = new HashMap<>();
        try (java.util.stream.Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            descriptors.forEach(descriptor -> {
                try {
                    files.put(Integer.parseInt(descriptor.getFileName().toString()),
                            Files.readSymbolicLink(descriptor).toString());
                } catch (java.io.IOException | NumberFormatException e) {
                    // closed while listing (the listing's own descriptor): nothing to mark
                }
            });
        } catch (java.io.IOException e) {
            return Map.of();
        }
        return files;
    }

    private static List<String> splitNul(byte[] bytes) {
        String all = new String(bytes, java.nio.charset.Charset.defaultCharset());
        if (all.endsWith("\0")) {
            all = all.substring(0, all.length() - 1);
        }
        return all.isEmpty() ? List.of() : List.of(all.split("\0", -1));
    }
}
