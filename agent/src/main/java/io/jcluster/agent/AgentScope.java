package io.jcluster.agent;

import io.jcluster.agent.control.WorkerEnvironment;

import java.util.Locale;
import java.util.Map;

/**
 * The JVMs the agent leaves alone. With {@code -javaagent} on the app's command line only the app's JVM loads it;
 * with {@code JAVA_TOOL_OPTIONS} (how containers and PaaS add agents) every JVM of that environment does: the JDK's
 * own tools ({@code jcmd}, {@code jps}, {@code keytool}, ...), {@code java -jar jcluster.jar status}, and any JVM
 * the app starts from a worker. None of them may become a cluster parent of its own, nor a second worker N.
 */
final class AgentScope {

    /** {@code java App.java} runs this JDK class (Main up to JDK 21, SourceLauncher after), which runs the app. */
    private static final String SOURCE_LAUNCHER = "com.sun.tools.javac.launcher.";

    private AgentScope() {
    }

    /**
     * Why the agent stays out of this JVM, or null when it clusters it.
     *
     * @param javaCommand what the launcher runs, as in {@code sun.java.command} ("app.jar args", "com.x.Main args",
     *                    "jdk.jcmd/sun.tools.jcmd.JCmd -l"); null when not known
     * @param parentPid   this process's parent's pid, -1 when not known
     */
    static String outOfScope(String javaCommand, Map<String, String> environment, long parentPid) {
        if (WorkerEnvironment.startedByWorker(environment, parentPid)) {
            return "a JVM started by a worker's app";
        }
        if (javaCommand == null || javaCommand.isBlank()) {
            return null;
        }
        String main = javaCommand.strip().split("\\s+", 2)[0];
        String lower = main.toLowerCase(Locale.ROOT);
        if (lower.endsWith("/jcluster.jar") || lower.equals("jcluster.jar") || main.startsWith("io.jcluster.agent.")) {
            return "jcluster's own command line";
        }
        if (lower.endsWith(".jar")) {
            return null; // java -jar app.jar
        }
        int slash = main.indexOf('/');
        String module = slash < 0 ? "" : main.substring(0, slash);
        String className = slash < 0 ? main : main.substring(slash + 1);
        if (className.startsWith(SOURCE_LAUNCHER)) {
            return null; // java App.java: the JDK's source launcher runs the app
        }
        if (module.startsWith("jdk.") || module.startsWith("java.") || className.startsWith("sun.")
                || className.startsWith("com.sun.") || className.startsWith("jdk.")) {
            return "a JDK tool";
        }
        return null;
    }
}
