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
    static int send(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " did not return");
            }
            return kill.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
