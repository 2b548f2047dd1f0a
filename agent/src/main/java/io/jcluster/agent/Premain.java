package io.jcluster.agent;

import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.worker.WorkerAgent;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's entry point. A JVM whose environment names a control socket is a worker: it reports its binds
 * and then runs the app. Any other JVM is the parent: the launcher is redirected to {@link ParentMain}.
 */
public final class Premain {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Premain() {
    }

    public static void premain(String agentArgument, Instrumentation instrumentation) {
        // -javaagent plus JAVA_TOOL_OPTIONS can name the agent twice
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        if (Premain.class.getClassLoader() != null) {
            exitWithError("the agent jar must be named jcluster.jar: its manifest puts itself on the boot class path"
                    + " under that name (rename the jar and try again)");
        }
        Options options;
        try {
            options = OptionParser.parse(agentArgument);
        } catch (OptionException e) {
            exitWithError(e.getMessage());
            return;
        }
        WorkerEnvironment worker = WorkerEnvironment.fromEnvironment(System.getenv());
        if (worker != null) {
            WorkerAgent.start(options, worker);
            AgentInstaller.installBindHooks(instrumentation);
        } else {
            ParentMain.prepare(options);
            if (!AgentInstaller.redirectLaunch(instrumentation, ParentMain.class.getName())) {
                exitWithError("cannot take over this JVM's launcher (sun.launcher.LauncherHelper), so the app would run"
                        + " in the parent; jcluster needs an OpenJDK-based JVM, version 17 or later");
            }
        }
    }

    private static void exitWithError(String message) {
        System.err.println("jcluster: " + message);
        System.err.flush();
        System.exit(2);
    }
}
