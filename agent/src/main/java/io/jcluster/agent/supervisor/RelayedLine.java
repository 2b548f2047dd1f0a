package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.LogLine;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** How {@link OutputRelay} writes one worker line: with its {@code [w<id>]} tag, or as a JSON object. */
interface RelayedLine {

    /**
     * Writes one line to {@code to} (the caller holds its lock).
     *
     * @param line   the line's bytes, its line end included when it had one
     * @param length how many of {@code line}'s bytes are the line
     */
    void write(PrintStream to, byte[] line, int length);

    /** {@code [w1] } then the bytes as they came (log-format=text). */
    static RelayedLine prefixed(int worker) {
        byte[] prefix = ("[w" + worker + "] ").getBytes(StandardCharsets.UTF_8);
        return (to, line, length) -> {
            to.write(prefix, 0, prefix.length);
            to.write(line, 0, length);
        };
    }

    /**
     * One JSON object per line (log-format=json): the bytes read as UTF-8 (a malformed sequence becomes U+FFFD),
     * the line end dropped, every control character escaped, so that nothing a worker writes breaks the object.
     */
    static RelayedLine json(int worker, long pid, String stream) {
        return (to, line, length) -> {
            int end = length;
            if (end > 0 && line[end - 1] == '\n') {
                end--;
            }
            if (end > 0 && line[end - 1] == '\r') {
                end--;
            }
            String message = new String(line, 0, end, StandardCharsets.UTF_8);
            to.println(LogLine.worker(Instant.now(), worker, pid, stream, message));
        };
    }
}
