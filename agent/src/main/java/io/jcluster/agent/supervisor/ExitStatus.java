package io.jcluster.agent.supervisor;

/** Says what a worker's exit status means: the JDK reports death by signal N as 128+N. */
final class ExitStatus {

    private ExitStatus() {
    }

    static String describe(int status) {
        if (status <= 128 || status > 128 + 64) {
            return "status " + status;
        }
        return "status " + status + " (" + signalName(status - 128) + ")";
    }

    private static String signalName(int signal) {
        switch (signal) {
            case 1:
                return "SIGHUP";
            case 2:
                return "SIGINT";
            case 6:
                return "SIGABRT";
            case 9:
                return "SIGKILL, e.g. the OOM killer or kill -9";
            case 11:
                return "SIGSEGV";
            case 15:
                return "SIGTERM";
            default:
                return "signal " + signal;
        }
    }
}
