package io.jcluster.agent.log;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An access log line in both formats, and the text a hostile client's bytes become in it. */
class AccessEntryTest {

    private static final long ENDED = Instant.parse("2026-11-30T19:03:46.123Z").toEpochMilli();

    /** The combined format as log tools read it, then worker= and duration=. */
    static final Pattern COMBINED = Pattern.compile("(\\S+) - - \\[(\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000)] "
            + "\"((?:[^\"\\\\]|\\\\x[0-9a-f]{2})*)\" (\\d{3}) (\\d+) \"([^\"]*)\" \"([^\"]*)\" worker=(-|\\d+) "
            + "duration=(\\d+\\.\\d{3})");

    private static AccessEntry entry(String target, String userAgent, int worker) {
        return new AccessEntry(ENDED, "192.0.2.7", "GET", target, "HTTP/1.1", 200, 1234, null, userAgent, worker,
                3_214_567);
    }

    @Test
    void combinedFormatWithWorkerAndDuration() {
        String line = entry("/a?b=1", "curl/8.5.0", 1).combined(new StringBuilder()).toString();
        assertEquals("192.0.2.7 - - [30/Nov/2026:19:03:46 +0000] \"GET /a?b=1 HTTP/1.1\" 200 1234 \"-\" "
                + "\"curl/8.5.0\" worker=1 duration=0.003", line);
        assertTrue(COMBINED.matcher(line).matches(), line);
        String parentAnswer = new AccessEntry(ENDED, "::1", "-", "-", "-", 400, 0, null, null, -1, 1_000_000_000L)
                .combined(new StringBuilder()).toString();
        assertEquals("::1 - - [30/Nov/2026:19:03:46 +0000] \"-\" 400 0 \"-\" \"-\" worker=- duration=1.000",
                parentAnswer);
    }

    @Test
    void jsonHasTheSameFacts() {
        assertEquals("{\"time\":\"2026-11-30T19:03:46.123Z\",\"source\":\"access\",\"client\":\"192.0.2.7\","
                + "\"method\":\"GET\",\"target\":\"/a\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes\":1234,"
                + "\"referer\":null,\"user_agent\":\"curl/8.5.0\",\"worker\":1,\"duration_ms\":3.214}",
                entry("/a", "curl/8.5.0", 1).json(new StringBuilder()).toString());
        assertTrue(entry("/a", null, -1).json(new StringBuilder()).toString()
                .endsWith("\"user_agent\":null,\"worker\":null,\"duration_ms\":3.214}"));
    }

    @Test
    void aClientsBytesCannotBreakAQuotedFieldOrTheLine() {
        byte[] hostile = "Mozilla\" 200 0 \"x\r\n127.0.0.1 - - fake\\\u0001é".getBytes(StandardCharsets.UTF_8);
        String text = AccessEntry.printable(hostile, 0, hostile.length, AccessEntry.MAX_HEADER);
        assertEquals("Mozilla\\x22 200 0 \\x22x\\x0d\\x0a127.0.0.1 - - fake\\x5c\\x01\\xc3\\xa9", text);
        String line = entry("/", text, 0).combined(new StringBuilder()).toString();
        Matcher fields = COMBINED.matcher(line);
        assertTrue(fields.matches(), line);
        assertEquals(text, fields.group(7), "the whole User-Agent stays in its own field");
    }

    @Test
    void longTextIsCut() {
        byte[] longTarget = ("/" + "a".repeat(5000)).getBytes(StandardCharsets.US_ASCII);
        String text = AccessEntry.printable(longTarget, 0, longTarget.length, AccessEntry.MAX_TARGET);
        assertEquals(AccessEntry.MAX_TARGET + 3, text.length());
        assertTrue(text.endsWith("aaa..."));
        assertEquals("/ok", AccessEntry.printable("/ok".getBytes(StandardCharsets.US_ASCII), 0, 3, 3),
                "exactly the limit is not cut");
    }
}
