package io.jcluster.agent;

import io.jcluster.agent.config.AdminToken;
import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.instrument.AgentInstaller;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.parent.ParentMain;
import io.jcluster.agent.worker.WorkerAgent;

import java.lang.instrument.Instrumentation;
import java.util.List;
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
        WorkerEnvironment worker = WorkerEnvironment.fromEnvironment(System.getenv());
        Options options;
        try {
            options = worker != null ? OptionParser.parseInWorker(agentArgument) : OptionParser.parse(agentArgument);
        } catch (OptionException e) {
            exitWithError(e.getMessage());
            return;
        }
        if (worker != null) {
            WorkerAgent.start(options, worker);
            for (String failure : AgentInstaller.installBindHooks(instrumentation, worker.controlSocket().getParent())) {
                // the worker still runs, but binds through that class stay where the app put them
                System.err.println("[jcluster] worker " + worker.workerId() + ": could not instrument " + failure);
            }
            if (options.store().sharedSessions()) {
                AgentInstaller.installSessionHooks(instrumentation);
            }
        } else {
            Log.configure(options.logs());
            String adminToken;
            try {
                adminToken = AdminToken.resolve(options, System.getenv(), Log::info);
            } catch (OptionException e) {
                exitWithError(e.getMessage());
                return;
            }
            ParentMain.prepare(options, adminToken);
            List<String> failures = AgentInstaller.redirectLaunch(instrumentation, ParentMain.class.getName());
            if (!failures.isEmpty()) {
                exitWithError("cannot take over this JVM's launcher (" + failures.get(0) + "), so the app would run"
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
