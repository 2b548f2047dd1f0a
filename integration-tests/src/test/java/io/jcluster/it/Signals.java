package io.jcluster.it;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends a signal to ONE process, by pid, with {@code kill(1)}. */
final class Signals {

    private Signals() {
    }

    static void term(long pid) {
        send("TERM", pid);
    }

    static void kill(long pid) {
        send("KILL", pid);
    }

    static void stop(long pid) {
        send("STOP", pid);
    }

    /** Returns kill's exit status (non-zero when the process no longer exists). */
    /** To every process of the group {@code pgid}, as a terminal's Ctrl-C (INT) reaches a foreground job. */
    static void group(String signal, long pgid) {
        // never signal a group the test JVM itself belongs to
        long own = processGroup(ProcessHandle.current().pid());
        if (processGroup(pgid) != pgid || own == pgid) {
            throw new IllegalStateException(pgid + " does not lead a process group of its own (test JVM's group " + own + ")");
        }
        run(signal, "-" + pgid);
    }

    /** Field 5 of /proc/PID/stat; the command name before it is in parentheses and may contain spaces. */
    private static long processGroup(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the process group of " + pid, e);
        }
    }

    static int send(String signal, long pid) {
        return run(signal, Long.toString(pid));
    }

    private static int run(String signal, String target) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + target + " did not return");
            }
            return kill.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + target + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
