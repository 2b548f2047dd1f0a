package io.jcluster.agent;

import io.jcluster.agent.config.AdminToken;
import io.jcluster.agent.config.OptionException;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.instrument.AgentInstaller;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.memory.ParentRestart;
import io.jcluster.agent.parent.ParentMain;
import io.jcluster.agent.worker.WorkerAgent;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's entry point. A JVM whose environment names a control socket is a worker: it reports its binds
 * and then runs the app. Any other JVM is the parent: the launcher is redirected to {@link ParentMain}.
 */
public final class Premain {

    /** The options of the copy of the agent that started (the first one named); null until one did. */
    private static final AtomicReference<String> STARTED = new AtomicReference<>();

    private Premain() {
    }

    public static void premain(String agentArgument, Instrumentation instrumentation) {
        // -javaagent plus JAVA_TOOL_OPTIONS can name the agent twice: the first one (JAVA_TOOL_OPTIONS) applies
        if (!STARTED.compareAndSet(null, agentArgument == null ? "" : agentArgument)) {
            warnIfNamedTwice(agentArgument);
            return;
        }
        long parentPid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (AgentScope.outOfScope(System.getProperty("sun.java.command"), System.getenv(), parentPid) != null) {
            return; // a JDK tool, jcluster's CLI, or a JVM a worker's app started: not a cluster of its own
        }
        if (Premain.class.getClassLoader() != null) {
            exitWithError("the agent jar must be named jcluster.jar: its manifest puts itself on the boot class path"
                    + " under that name (rename the jar and try again)");
        }
        WorkerEnvironment worker = WorkerEnvironment.fromEnvironment(System.getenv());
        Options options;
        try {
            options = worker != null
                    ? OptionParser.parseInWorker(agentArgument, worker.controlSocket().getParent())
                    : OptionParser.parse(agentArgument);
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
            // returns when it did not restart; the restarted parent says so with its startup lines (ParentMain)
            Path prepared = ParentRestart.restartIfUseful(instrumentation, Log::info, ParentMain::prepareForRestart)
                    .orElseGet(ParentMain::handedOver);
            String adminToken;
            try {
                adminToken = AdminToken.resolve(options, System.getenv(), Log::info);
            } catch (OptionException e) {
                exitWithError(e.getMessage());
                return;
            }
            ParentMain.prepare(options, adminToken, agentArgument, prepared);
            List<String> failures = AgentInstaller.redirectLaunch(instrumentation, ParentMain.class.getName(),
                    prepared);
            if (!failures.isEmpty()) {
                exitWithError("cannot take over this JVM's launcher (" + failures.get(0) + "), so the app would run"
                        + " in the parent; jcluster needs an OpenJDK-based JVM, version 17 or later");
            }
        }
    }

    /** Once, in the parent only (every worker inherits both): the options of the second copy are not used. */
    private static void warnIfNamedTwice(String agentArgument) {
        String second = agentArgument == null ? "" : agentArgument;
        String firstArgument = STARTED.get();
        if (!second.equals(firstArgument) && WorkerEnvironment.fromEnvironment(System.getenv()) == null) {
            System.err.println("[jcluster] the agent is named twice (JAVA_TOOL_OPTIONS and -javaagent?) with different"
                    + " options: '" + firstArgument + "' applies, '" + second + "' is ignored; name it once");
        }
    }

    private static void exitWithError(String message) {
        System.err.println("jcluster: " + message);
        System.err.flush();
        System.exit(2);
    }
}
