package io.jcluster.agent.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the parent's stderr is a terminal (a person reads it) rather than a file, a pipe or journald's socket. */
final class Terminal {

    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no /proc (not Linux): the JDK's own view, which holds when stdin and stdout are terminals too
            return System.console() != null;
        }
    }

    /** What /proc/self/fd/2 links to when it is a terminal: a pseudo-terminal, a virtual console, a serial line. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
