package io.jcluster.agent.worker;

/**
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the parent and, since a forked JVM
 * cannot leave its parent's group, every worker. A worker that died of it there and then would cut its in-flight
 * requests short, so workers ignore SIGINT and leave the stop to the parent, which drains and then sends SIGTERM.
 * (An app that installs its own SIGINT handler later overrides this.)
 */
final class TerminalInterrupt {

    private TerminalInterrupt() {
    }

    static void ignore() {
        // sun.misc.Signal lives in jdk.unsupported, which a -m launch may not have resolved
        if (ModuleLayer.boot().findModule("jdk.unsupported").isPresent()) {
            Unsupported.ignoreInterrupt();
        }
    }

    /** Loaded only when jdk.unsupported is present. */
    private static final class Unsupported {
        static void ignoreInterrupt() {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
            } catch (IllegalArgumentException e) {
                // the JVM does not handle SIGINT here (-Xrs, or it was ignored at launch): nothing to do
            }
        }
    }
}
