package io.jcluster.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One launched jcluster parent JVM and every process it forks.
 *
 * <pre>
 *   try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2")
 *           .mainClass("samples.hello.HelloServer").args(String.valueOf(port)).start()) {
 *       cluster.awaitWorkers(2, STARTUP);
 *       ...
 *   }
 * </pre>
 *
 * <p>Every line the parent writes (stdout and stderr) is kept and echoed to this JVM's stdout
 * with a prefix. While the parent lives, a poller remembers every descendant pid it ever sees,
 * and every {@code [jcluster] worker N started (pid P)} line adds P, so {@link #close()} can
 * SIGKILL each of them by pid even after the parent died and its workers were re-parented.
 * Nothing is ever killed by name.
 */
final class ClusterProcess implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(30);
    static final Pattern STARTED = Pattern.compile("^\\[jcluster\\] worker (\\d+) started \\(pid (\\d+)\\)");
    /**
     * The time log-time=iso8601 puts before a parent line; the parent's stderr is a pipe here, so log-time=auto puts
     * it there. Lines are kept without it, so that tests match "[jcluster] ..." as a person reads it.
     */
    private static final Pattern LOG_TIME = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (?=\\[jcluster\\] )");

    private static final Set<ClusterProcess> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(ClusterProcess::close), "cluster-reaper"));
    }

    /** Which stream a line came from. */
    enum Stream { OUT, ERR }

    record Line(Stream stream, String text) {
    }

    private final List<String> command;
    private final Process process;
    private final ProcessHandle handle;
    private final String label;
    private final Object lock = new Object();
    private final List<Line> lines = new ArrayList<>();
    private final Map<Long, ProcessHandle> remembered = new ConcurrentHashMap<>();
    private final Map<Integer, Long> workerByIdLatest = new ConcurrentHashMap<>();
    private final List<Thread> pumps = new ArrayList<>();
    private final Thread poller;
    private volatile boolean closed;
    private int openPumps = 2;
    /** Parent lines that came with their time (log-time), which {@link #withoutLogTime} took off. */
    private final java.util.concurrent.atomic.AtomicInteger timedLines = new java.util.concurrent.atomic.AtomicInteger();

    static Builder on(Jdk jdk) {
        return new Builder(jdk);
    }

    /** The demo HelloServer on {@code port} under the given agent arguments, started. */
    static ClusterProcess hello(Jdk jdk, int port, String agentArgs) throws IOException {
        return on(jdk).agentArgs(agentArgs).mainClass("samples.hello.HelloServer").args(Integer.toString(port)).start();
    }

    /** The http-mode probe app (samples.web.WebProbe) on {@code port} under the given agent arguments, started. */
    static ClusterProcess web(Jdk jdk, int port, String agentArgs) throws IOException {
        return on(jdk).agentArgs(agentArgs).mainClass("samples.web.WebProbe").args(Integer.toString(port)).start();
    }

    /** What to launch: {@code <jdk>/bin/java -javaagent:<jar>=<agentArgs> <jvmFlags> (-cp <classes> <main> | -jar samples.jar) <args>}. */
    static final class Builder {
        private final Jdk jdk;
        private String agentArgs = "";
        private final List<String> jvmFlags = new ArrayList<>();
        private String mainClass;
        private boolean jar;
        /** What to run instead of -cp/-jar, as given: e.g. {@code -p mods -m app/app.Main} or a source file. */
        private List<String> launch;
        /** A start script to run instead of java (see script), and the variable that hands it the JVM options. */
        private List<String> script;
        private String optionsVariable;
        private boolean newSession;
        private boolean agent = true;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Jdk jdk) {
            this.jdk = jdk;
        }

        Builder agentArgs(String agentArgs) {
            this.agentArgs = agentArgs;
            return this;
        }

        Builder jvmFlags(String... flags) {
            jvmFlags.addAll(Arrays.asList(flags));
            return this;
        }

        /** Launch {@code -cp <samples classes> mainClass}. */
        Builder mainClass(String mainClass) {
            this.mainClass = mainClass;
            this.jar = false;
            return this;
        }

        /** Launch {@code -jar samples.jar} (its Main-Class is samples.hello.HelloServer). */
        Builder jar() {
            this.jar = true;
            this.mainClass = null;
            return this;
        }

        /** Launch with these launcher arguments instead of -cp/-jar ({@code -p DIR -m mod/cls}, {@code File.java}). */
        Builder launch(String... launcherArgs) {
            this.launch = List.of(launcherArgs);
            return this;
        }

        /**
         * Run a server's start script instead of java, as its users do: {@code command} (e.g. {@code sh
         * bin/catalina.sh run}) must exec the JVM in place, so the script's pid is the parent's and is tracked as
         * usual. The JVM options (the JDK's flags, {@code -javaagent}, jvmFlags) reach the JVM through the
         * environment variable {@code optionsVariable} (Tomcat: CATALINA_OPTS); JAVA_HOME and JRE_HOME name the JDK.
         * mainClass, jar and launch do not apply; args are appended to the command.
         */
        Builder script(String optionsVariable, String... command) {
            this.optionsVariable = optionsVariable;
            this.script = List.of(command);
            return this;
        }

        /**
         * Start the parent as the leader of a new session and process group (setsid), as a shell starts a
         * foreground job: then {@code kill -INT -PGID} is what Ctrl-C in a terminal does, and reaches no test JVM.
         */
        Builder inNewSession() {
            this.newSession = true;
            return this;
        }

        /**
         * Launch a plain JVM, without {@code -javaagent}: a backend server for the standalone balancer, or the
         * balancer itself ({@code launch("-jar", jar, "balance")}). Its pids are tracked and killed the same way.
         */
        Builder withoutAgent() {
            this.agent = false;
            return this;
        }

        Builder args(String... appArgs) {
            args.addAll(Arrays.asList(appArgs));
            return this;
        }

        Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        ClusterProcess start() throws IOException {
            jdk.requireInstalled();
            if (script != null) {
                return startScript();
            }
            List<String> command = new ArrayList<>();
            if (newSession) {
                command.add("setsid"); // execs the JVM in place: the pid stays the parent's
            }
            command.add(jdk.java().toString());
            command.addAll(jdk.flags());
            if (agent) {
                command.add("-javaagent:" + AgentSnapshot.path() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
            }
            command.addAll(jvmFlags);
            if (launch != null) {
                command.addAll(launch);
            } else if (jar) {
                command.add("-jar");
                command.add(existing("jcluster.samples.jar", "target/samples.jar").toString());
            } else {
                if (mainClass == null) {
                    throw new IllegalStateException("neither mainClass(...) nor jar() was given");
                }
                command.add("-cp");
                command.add(existing("jcluster.samples.classes", "target/classes").toString());
                command.add(mainClass);
            }
            command.addAll(args);
            return new ClusterProcess(jdk, command, env);
        }

        private ClusterProcess startScript() throws IOException {
            List<String> options = new ArrayList<>(jdk.flags());
            if (agent) {
                options.add("-javaagent:" + AgentSnapshot.path() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
            }
            options.addAll(jvmFlags);
            for (String option : options) {
                if (option.isEmpty() || option.chars().anyMatch(Character::isWhitespace)) {
                    // start scripts split their options variable at white space
                    throw new IllegalArgumentException("a JVM option for " + optionsVariable
                            + " is empty or holds white space: '" + option + "'");
                }
            }
            Map<String, String> scriptEnv = new LinkedHashMap<>(env);
            scriptEnv.put("JAVA_HOME", jdk.home().toString());
            scriptEnv.put("JRE_HOME", jdk.home().toString());
            scriptEnv.put(optionsVariable, String.join(" ", options));
            System.out.println("[it] with JAVA_HOME=" + jdk.home() + " " + optionsVariable + "="
                    + scriptEnv.get(optionsVariable));
            List<String> command = new ArrayList<>();
            if (newSession) {
                command.add("setsid");
            }
            command.addAll(script);
            command.addAll(args);
            return new ClusterProcess(jdk, command, scriptEnv);
        }

        static Path existing(String property, String fallback) {
            Path path = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
            if (!Files.exists(path)) {
                throw new AssertionError(property + " = " + path + " does not exist: build it first (mvn -pl integration-tests -am verify)");
            }
            return path;
        }
    }

    private ClusterProcess(Jdk jdk, List<String> command, Map<String, String> extraEnv) throws IOException {
        this.command = List.copyOf(command);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("JCLUSTER_"));
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        env.putAll(extraEnv);
        builder.directory(workDirectory().toFile()); // hs_err files, JFR dumps etc. land in target/, not in the source tree
        System.out.println("[it] launching: " + String.join(" ", command));
        this.process = builder.start();
        this.handle = process.toHandle();
        this.label = "jdk" + jdk.feature() + " " + handle.pid();
        OPEN.add(this);
        pumps.add(pump(process.getInputStream(), Stream.OUT));
        pumps.add(pump(process.getErrorStream(), Stream.ERR));
        process.getOutputStream().close();
        this.poller = new Thread(this::pollDescendants, "descendants-" + handle.pid());
        poller.setDaemon(true);
        poller.start();
    }

    private static Path workDirectory() throws IOException {
        Path classes = Builder.existing("jcluster.samples.classes", "target/classes");
        return Files.createDirectories(classes.resolveSibling("it-work"));
    }

    /** {@code line} without the log-time stamp before "[jcluster] "; the same String when it has none. */
    static String withoutLogTime(String line) {
        Matcher time = LOG_TIME.matcher(line);
        return time.find() ? line.substring(time.end()) : line;
    }

    /** How many parent lines came with their time (log-time=iso8601, or auto since the output is a pipe). */
    int timedLines() {
        return timedLines.get();
    }

    private Thread pump(InputStream in, Stream stream) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String raw;
                while ((raw = reader.readLine()) != null) {
                    System.out.println("[" + label + " " + stream.name().toLowerCase() + "] " + raw);
                    String text = withoutLogTime(raw);
                    if (text != raw) {
                        timedLines.incrementAndGet();
                    }
                    Matcher started = STARTED.matcher(text);
                    if (started.find()) {
                        long pid = Long.parseLong(started.group(2));
                        ProcessHandle.of(pid).ifPresent(this::remember);
                        workerByIdLatest.put(Integer.parseInt(started.group(1)), pid);
                    }
                    synchronized (lock) {
                        lines.add(new Line(stream, text));
                        lock.notifyAll();
                    }
                }
            } catch (IOException e) {
                // stream closed by close(): nothing more to read
            } finally {
                synchronized (lock) {
                    openPumps--;
                    lock.notifyAll();
                }
            }
        }, "pump-" + stream + "-" + handle.pid());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void pollDescendants() {
        while (!closed && handle.isAlive()) {
            rememberDescendants();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void rememberDescendants() {
        handle.descendants().forEach(this::remember);
    }

    private void remember(ProcessHandle process) {
        if (process.pid() != handle.pid()) {
            remembered.putIfAbsent(process.pid(), process);
        }
    }

    long pid() {
        return handle.pid();
    }

    Process process() {
        return process;
    }

    List<String> command() {
        return command;
    }

    /** Every line so far, stdout and stderr interleaved in arrival order. */
    List<String> output() {
        synchronized (lock) {
            return lines.stream().map(Line::text).toList();
        }
    }

    List<String> stdout() {
        return linesOf(Stream.OUT);
    }

    List<String> stderr() {
        return linesOf(Stream.ERR);
    }

    private List<String> linesOf(Stream stream) {
        synchronized (lock) {
            return lines.stream().filter(line -> line.stream() == stream).map(Line::text).toList();
        }
    }

    /** Every pid this cluster ever forked (workers, restarted workers), parent excluded. */
    Set<Long> workerPids() {
        return Set.copyOf(remembered.keySet());
    }

    /** Handles of every remembered descendant (they carry the start time, so a reused pid is never mistaken). */
    List<ProcessHandle> rememberedProcesses() {
        return List.copyOf(remembered.values());
    }

    /** Worker id to pid, from the latest {@code started} line of each id. */
    Map<Integer, Long> startedWorkers() {
        return new TreeMap<>(workerByIdLatest);
    }

    long workerPid(int id) {
        Long pid = workerByIdLatest.get(id);
        if (pid == null) {
            throw new AssertionError("no 'worker " + id + " started' line yet\n" + describe());
        }
        return pid;
    }

    /** Waits for the first line (from the start of the output) that matches; fails fast once the output ended. */
    String awaitLine(Predicate<String> predicate, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        synchronized (lock) {
            while (true) {
                for (; checked < lines.size(); checked++) {
                    if (predicate.test(lines.get(checked).text())) {
                        return lines.get(checked).text();
                    }
                }
                if (openPumps == 0) {
                    throw new AssertionError("output ended (exit status " + exitStatusText() + ") without a line " + what + "\n" + describe());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line " + what + " within " + timeout + "\n" + describe());
                }
                waitOnLock(left);
            }
        }
    }

    /** Waits for a line in which {@code regex} is found; returns the matcher. */
    Matcher awaitLine(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        String line = awaitLine(text -> pattern.matcher(text).find(), "matching /" + regex + "/", timeout);
        Matcher matcher = pattern.matcher(line);
        if (!matcher.find()) {
            throw new IllegalStateException("unreachable");
        }
        return matcher;
    }

    /** Waits for the parent's listening line for {@code hostAndPort} (e.g. "0.0.0.0:8080"); returns it. */
    String awaitListening(String hostAndPort, Duration timeout) {
        String prefix = "[jcluster] listening on " + hostAndPort + " -> ";
        return awaitLine(line -> line.startsWith(prefix), "starting '" + prefix + "'", timeout);
    }

    String listeningLine(String hostAndPort) {
        String prefix = "[jcluster] listening on " + hostAndPort + " -> ";
        return output().stream().filter(line -> line.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "'\n" + describe()));
    }

    /** Waits until workers 0..count-1 each printed a started line; returns id to pid. */
    Map<Integer, Long> awaitWorkers(int count, Duration timeout) {
        await(() -> {
            for (int id = 0; id < count; id++) {
                if (!workerByIdLatest.containsKey(id)) {
                    return false;
                }
            }
            return true;
        }, count + " 'worker N started' lines (ids 0.." + (count - 1) + ")", timeout);
        return startedWorkers();
    }

    /** Waits for a condition re-checked at each new output line and at least every 100 ms. */
    void await(BooleanSupplier condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                if (openPumps == 0) {
                    throw new AssertionError("output ended (exit status " + exitStatusText() + ") before " + what + "\n" + describe());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + timeout + "\n" + describe());
                }
                waitOnLock(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    private void waitOnLock(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Sends fresh-connection GETs to 127.0.0.1:port until {@code count} distinct X-Pid values
     * answered; returns them. Connection failures are retried (the cluster may still be starting).
     */
    Set<Long> awaitAnswering(int port, String path, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> pids = new LinkedHashSet<>();
        Exception last = null;
        int requests = 0;
        while (pids.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only pids " + pids + " answered on port " + port + path + " within " + timeout
                        + " (" + requests + " requests, last error " + last + "), expected " + count + " distinct\n" + describe());
            }
            if (!process.isAlive()) {
                throw new AssertionError("parent exited (status " + process.exitValue() + ") while waiting for "
                        + count + " pids on port " + port + "\n" + describe());
            }
            requests++;
            try {
                Http.Response response = Http.fresh(port, path);
                if (response.status() == 200) {
                    pids.add(response.pid());
                    continue;
                }
                last = new IOException("status " + response.status() + ": " + response.body());
            } catch (IOException e) {
                last = e;
            }
            sleep(100);
        }
        return pids;
    }

    Set<Long> awaitAnswering(int port, int count, Duration timeout) {
        return awaitAnswering(port, "/", count, timeout);
    }

    /** Waits for the parent to exit; returns its status. Also waits (briefly) until its output is fully read. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("parent " + pid() + " still running after " + timeout + "\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        for (Thread pump : pumps) {
            try {
                pump.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return process.exitValue();
    }

    private String exitStatusText() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** The command and the last lines of output, for failure messages. */
    String describe() {
        List<String> all = output();
        StringBuilder text = new StringBuilder("--- command: ").append(String.join(" ", command)).append('\n');
        text.append("--- parent pid ").append(pid()).append(", remembered pids ").append(workerPids())
                .append(", started ").append(startedWorkers()).append('\n');
        text.append("--- last output lines:\n");
        for (String line : all.subList(Math.max(0, all.size() - 80), all.size())) {
            text.append("    ").append(line).append('\n');
        }
        return text.toString();
    }

    /** True while the process exists and is not a zombie (a re-parented zombie may wait long for its reaper). */
    static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * SIGKILLs the parent and every pid ever remembered, by pid, and waits for them. The parent
     * is SIGSTOPped first so it cannot fork a new worker between the last descendant scan and
     * its death.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (handle.isAlive()) {
            Signals.send("STOP", handle.pid());
            rememberDescendants();
        }
        poller.interrupt();
        List<ProcessHandle> victims = new ArrayList<>();
        victims.add(handle);
        victims.addAll(remembered.values());
        for (ProcessHandle victim : victims) {
            if (victim.isAlive()) {
                victim.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle victim : victims) {
            while (isRunning(victim) && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (isRunning(victim)) {
                System.err.println("!!!!! [it] pid " + victim.pid() + " of cluster " + pid() + " survived SIGKILL for 10 s");
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Thread pump : pumps) {
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        OPEN.remove(this);
    }

    /** Fails unless every one of {@code processes} has exited within 5 s (call after the parent exited). */
    static void assertNoneRunning(List<ProcessHandle> processes, ClusterProcess cluster) {
        List<ProcessHandle> alive = processes;
        long exited = System.nanoTime();
        while (!alive.isEmpty() && System.nanoTime() - exited < 5_000_000_000L) {
            alive = alive.stream().filter(ClusterProcess::isRunning).toList();
            ClusterProcess.sleep(50);
        }
        org.junit.jupiter.api.Assertions.assertTrue(alive.isEmpty(), "processes alive 5 s after the parent exited: "
                + alive.stream().map(ProcessHandle::pid).toList() + "\n" + cluster.describe());
    }
}
