package io.jcluster.agent.log;

import io.jcluster.agent.config.LogOptions;

import java.io.IOException;

/** The access log {@code access-log=} names, opened for the http and grpc frontends alike. */
public final class AccessLogFile {

    private AccessLogFile() {
    }

    /**
     * Opens it (null when the option is off); a file is reopened on SIGUSR1, after logrotate moved it.
     *
     * @throws Unusable when the file cannot be opened for writing; its message is the line to show
     */
    public static AccessLog open(LogOptions logs) throws Unusable {
        if (logs.accessLog() == null) {
            return null;
        }
        AccessLog log;
        try {
            log = AccessLog.open(logs.accessLog(), logs.json());
        } catch (IOException | RuntimeException e) {
            throw new Unusable("access-log=" + logs.accessLog() + ": cannot open it for writing ("
                    + Log.describe(e) + "); give a file in a directory the parent may write to, or stdout");
        }
        if (!logs.accessLog().equals(LogOptions.STDOUT)) {
            ReopenSignal.install(log::reopen);
        }
        return log;
    }

    /** access-log= names a file that cannot be opened for writing. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }
}
