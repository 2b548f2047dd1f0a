package io.jcluster.agent.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of worker N: the parent's own, except for what only one process can have. A debugger or
 * JMX port is shifted by 1+N (the parent keeps the original), and files the JVM writes (JFR recordings, logs,
 * heap dumps) get a "-wN" suffix so workers do not overwrite each other. Only JVM options before the main
 * class are touched; the app's arguments pass unchanged.
 */
public final class WorkerCommand {

    /** Launcher options whose value is the next argument. */
    private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads",
            "--limit-modules", "--patch-module", "--enable-native-access", "--source", "--describe-module", "-d");
    /** Options after which the next argument (or this one, for "=") names what to run: JVM options end there. */
    private static final Set<String> ENDS_OPTIONS = Set.of("-jar", "-m", "--module");

    private static final Pattern JDWP_ADDRESS = Pattern.compile("(address=(?:[^,:]*:)?)(\\d+)");
    private static final Pattern JMX_PORT = Pattern.compile(
            "(-Dcom\\.sun\\.management\\.jmxremote(?:\\.rmi)?\\.port=)(\\d+)");
    private static final Pattern JFR_FILE = Pattern.compile("(-XX:StartFlightRecording[:=].*?filename=)([^,]+)(.*)");
    private static final Pattern XLOG_FILE = Pattern.compile("(-Xlog:.*?file=)([^:,]+)(.*)");
    private static final Pattern PATH_OPTION = Pattern.compile(
            "(-XX:HeapDumpPath=|-XX:ErrorFile=|-Xloggc:)(.+)()");

    private final List<String> parentArgv;
    private final int launcherOptionsEnd;
    /** JVM flags every worker gets in front of the parent's options (see {@link WorkerShares}). */
    private final List<String> addedFlags;

    /**
     * @param parentArgv     the parent's argv, argv[0] the java executable
     * @param argfileCopies  where to keep copies of @argfiles (a launcher may delete its own after start)
     */
    public WorkerCommand(List<String> parentArgv, Path argfileCopies) throws IOException {
        this.launcherOptionsEnd = launcherOptionsEnd(parentArgv);
        List<String> argv = new ArrayList<>(parentArgv);
        for (int i = 1; i < launcherOptionsEnd; i++) {
            String arg = argv.get(i);
            if (arg.startsWith("@") && arg.length() > 1 && Files.isRegularFile(Path.of(arg.substring(1)))) {
                Path copy = argfileCopies.resolve("argfile-" + i);
                Files.copy(Path.of(arg.substring(1)), copy);
                argv.set(i, "@" + copy);
            }
        }
        this.parentArgv = List.copyOf(argv);
        this.addedFlags = List.of();
    }

    private WorkerCommand(List<String> parentArgv, int launcherOptionsEnd, List<String> addedFlags) {
        this.parentArgv = parentArgv;
        this.launcherOptionsEnd = launcherOptionsEnd;
        this.addedFlags = List.copyOf(addedFlags);
    }

    /** This command with {@code flags} added to every worker's JVM options (their shares of the machine). */
    public WorkerCommand adding(List<String> flags) {
        return new WorkerCommand(parentArgv, launcherOptionsEnd, flags);
    }

    /** argv for worker {@code workerId}. */
    public List<String> forWorker(int workerId) {
        List<String> argv = rewritten(workerId);
        argv.addAll(1, addedFlags);
        return argv;
    }

    private List<String> rewritten(int workerId) {
        List<String> argv = new ArrayList<>(parentArgv);
        for (int i = 1; i < launcherOptionsEnd; i++) {
            argv.set(i, rewrite(argv.get(i), workerId));
        }
        return argv;
    }

    /**
     * What differs for worker {@code workerId} among the parent's own options, for the startup log; empty when
     * nothing does. (The flags every worker gets are logged once, by whoever added them.)
     */
    public List<String> differences(int workerId) {
        List<String> notes = new ArrayList<>();
        List<String> worker = rewritten(workerId);
        for (int i = 1; i < launcherOptionsEnd; i++) {
            if (!worker.get(i).equals(parentArgv.get(i))) {
                notes.add(worker.get(i));
            }
        }
        return notes;
    }

    static String rewrite(String arg, int workerId) {
        int shift = 1 + workerId;
        if (arg.startsWith("-agentlib:jdwp=") || arg.startsWith("-Xrunjdwp:")) {
            return shiftPort(JDWP_ADDRESS.matcher(arg), shift, arg);
        }
        Matcher jmx = JMX_PORT.matcher(arg);
        if (jmx.matches()) {
            return jmx.group(1) + (Integer.parseInt(jmx.group(2)) + shift);
        }
        for (Pattern file : List.of(JFR_FILE, XLOG_FILE, PATH_OPTION)) {
            Matcher matcher = file.matcher(arg);
            if (matcher.matches() && !matcher.group(2).contains("%p")) {
                return matcher.group(1) + perWorkerFile(matcher.group(2), workerId) + matcher.group(3);
            }
        }
        return arg;
    }

    private static String shiftPort(Matcher matcher, int shift, String arg) {
        if (!matcher.find()) {
            return arg;
        }
        int port = Integer.parseInt(matcher.group(2));
        return arg.substring(0, matcher.start()) + matcher.group(1) + (port + shift) + arg.substring(matcher.end());
    }

    /** {@code gc.log} -> {@code gc-w1.log}, {@code dumps/} -> {@code dumps/} (a directory is per-pid already). */
    static String perWorkerFile(String path, int workerId) {
        if (path.endsWith("/")) {
            return path;
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot > slash + 1) {
            return path.substring(0, dot) + "-w" + workerId + path.substring(dot);
        }
        return path + "-w" + workerId;
    }

    static int launcherOptionsEnd(List<String> argv) {
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (ENDS_OPTIONS.contains(arg)) {
                return i;
            }
            if (arg.startsWith("--module=")) {
                return i;
            }
            if (TAKES_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-") && !arg.startsWith("@")) {
                return i;
            }
        }
        return argv.size();
    }
}
