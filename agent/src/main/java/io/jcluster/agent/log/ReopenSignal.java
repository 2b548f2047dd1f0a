package io.jcluster.agent.log;

/**
 * SIGUSR1 reopens the access log (logrotate's {@code postrotate kill -USR1}, as for nginx). Needs sun.misc.Signal
 * from jdk.unsupported, as the stop signals do; without it the parent says so once.
 */
public final class ReopenSignal {

    private ReopenSignal() {
    }

    /** Installs {@code reopen} as the SIGUSR1 handler; false (and a line saying so) when it cannot be. */
    public static boolean install(Runnable reopen) {
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            Log.info("access log: SIGUSR1 cannot reopen it here (the jdk.unsupported module is missing);"
                    + " use logrotate's copytruncate instead");
            return false;
        }
        try {
            Unsupported.handle(reopen);
            return true;
        } catch (IllegalArgumentException e) {
            Log.info("access log: SIGUSR1 cannot reopen it here (" + Log.describe(e) + "); use logrotate's"
                    + " copytruncate instead");
            return false;
        }
    }

    /** Loaded only when jdk.unsupported is present. */
    private static final class Unsupported {
        static void handle(Runnable reopen) {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> reopen.run());
        }
    }
}
