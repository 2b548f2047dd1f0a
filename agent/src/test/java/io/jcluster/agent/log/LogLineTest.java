package io.jcluster.agent.log;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shapes of a log line: text with and without its time, JSON objects, and what escaping keeps out of them. */
class LogLineTest {

    private static final Instant AT = Instant.parse("2026-11-30T19:03:46.123456Z");

    @Test
    void textLinesStartWithTheTimeOnlyWhenAskedTo() {
        assertEquals("[jcluster] worker 0 started", new LogLine(false, false).parent(AT, 7, "worker 0 started"));
        assertEquals("2026-11-30T19:03:46.123Z [jcluster] worker 0 started",
                new LogLine(true, false).parent(AT, 7, "worker 0 started"));
        assertEquals("2026-11-30T19:03:46.000Z", LogLine.iso(Instant.parse("2026-11-30T19:03:46Z")),
                "always milliseconds: every stamp has the same width");
    }

    @Test
    void jsonLinesCarryTimeSourcePidStreamAndMessage() {
        assertEquals("{\"time\":\"2026-11-30T19:03:46.123Z\",\"source\":\"parent\",\"pid\":7,\"stream\":\"stderr\","
                + "\"message\":\"stopped\"}", new LogLine(false, true).parent(AT, 7, "stopped"));
        assertEquals("{\"time\":\"2026-11-30T19:03:46.123Z\",\"source\":\"worker\",\"worker\":2,\"pid\":4112,"
                + "\"stream\":\"stdout\",\"message\":\"hello\"}", LogLine.worker(AT, 2, 4112, "stdout", "hello"));
    }

    @Test
    void nothingInAMessageCanEndTheObjectOrTheLine() {
        String hostile = "a\"b\\c\nd\re\tf\u0000g\u001bh\u007fi\u0085j\u2028k é";
        String line = LogLine.worker(AT, 0, 1, "stderr", hostile);
        assertEquals("{\"time\":\"2026-11-30T19:03:46.123Z\",\"source\":\"worker\",\"worker\":0,\"pid\":1,"
                + "\"stream\":\"stderr\",\"message\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0000g\\u001bh\\u007fi\\u0085j\\u2028k é\"}",
                line);
        assertFalse(line.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028), line);
    }

    @Test
    void aTerminalIsAPseudoTerminalAConsoleOrASerialLine() {
        assertTrue(Terminal.isTerminalDevice("/dev/pts/3"));
        assertTrue(Terminal.isTerminalDevice("/dev/tty1"));
        assertTrue(Terminal.isTerminalDevice("/dev/console"));
        assertFalse(Terminal.isTerminalDevice("pipe:[123456]"));
        assertFalse(Terminal.isTerminalDevice("socket:[98765]"), "journald's stream socket");
        assertFalse(Terminal.isTerminalDevice("/var/log/app.log"));
        assertFalse(Terminal.isTerminalDevice("/dev/null"));
    }
}
