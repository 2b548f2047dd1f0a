package io.jcluster.agent.supervisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * Copies one worker stream to the parent's, whole lines at a time so that workers' lines never interleave mid-line,
 * each line prefixed with the worker's tag (bytes pass through as they are) or turned into a JSON object, as its
 * {@link RelayedLine} says.
 */
final class OutputRelay implements Runnable {

    /** A line longer than this is passed on in pieces, each with the prefix. */
    private static final int MAX_LINE = 16 * 1024;

    private final InputStream from;
    private final PrintStream to;
    private final RelayedLine format;

    OutputRelay(InputStream from, PrintStream to, RelayedLine format) {
        this.from = from;
        this.to = to;
        this.format = format;
    }

    /** Starts relaying on a daemon thread, which ends when the worker's stream does; returns that thread. */
    static Thread start(InputStream from, PrintStream to, RelayedLine format, String threadName) {
        return DaemonThreads.start(new OutputRelay(from, to, format), threadName);
    }

    @Override
    public void run() {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buffer = new byte[8192];
        try (from) {
            int read;
            while ((read = from.read(buffer)) >= 0) {
                for (int i = 0; i < read; i++) {
                    line.write(buffer[i]);
                    if (buffer[i] == '\n' || line.size() >= MAX_LINE) {
                        emit(line);
                    }
                }
            }
        } catch (IOException e) {
            // the worker is gone; what it wrote so far is passed on below
        }
        if (line.size() > 0) {
            line.write('\n');
            emit(line);
        }
    }

    private void emit(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        synchronized (to) {
            format.write(to, bytes, bytes.length);
            to.flush();
        }
        line.reset();
    }
}
