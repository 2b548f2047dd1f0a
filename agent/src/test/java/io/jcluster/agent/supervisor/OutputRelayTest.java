package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker's output relayed whole line by whole line: tagged as it came, or one JSON object a line. */
class OutputRelayTest {

    private static byte[] relay(byte[] workerOutput, RelayedLine format) {
        ByteArrayOutputStream parent = new ByteArrayOutputStream();
        new OutputRelay(new ByteArrayInputStream(workerOutput), new PrintStream(parent, false, StandardCharsets.UTF_8),
                format).run();
        return parent.toByteArray();
    }

    @Test
    void textLinesGetTheWorkersTagAndTheirBytesAsTheyCame() {
        byte[] bytes = {'a', '\r', '\n', (byte) 0xff, 'b', '\n', 'c'};
        byte[] expected = {'[', 'w', '3', ']', ' ', 'a', '\r', '\n', '[', 'w', '3', ']', ' ', (byte) 0xff, 'b', '\n',
                '[', 'w', '3', ']', ' ', 'c', '\n'};
        assertArrayEquals(expected, relay(bytes, RelayedLine.prefixed(3)), "a last line without its end gets one");
    }

    @Test
    void jsonLinesAreOneObjectEachWhateverTheWorkerWrote() {
        byte[] bytes = "started\r\nhe said \"hi\"\tthen\u001b[31mred\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBadUtf8 = new byte[bytes.length + 3];
        System.arraycopy(bytes, 0, withBadUtf8, 0, bytes.length);
        withBadUtf8[bytes.length] = (byte) 0xc3; // a sequence cut short
        withBadUtf8[bytes.length + 1] = 'x';
        withBadUtf8[bytes.length + 2] = '\n';
        List<String> lines = new String(relay(withBadUtf8, RelayedLine.json(1, 4112, "stderr")),
                StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        String prefix = "\"source\":\"worker\",\"worker\":1,\"pid\":4112,\"stream\":\"stderr\",\"message\":";
        assertTrue(lines.get(0).startsWith("{\"time\":\"") && lines.get(0).endsWith(prefix + "\"started\"}"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith(prefix + "\"he said \\\"hi\\\"\\tthen\\u001b[31mred\"}"), lines.get(1));
        assertTrue(lines.get(2).endsWith(prefix + "\"\ufffdx\"}"), lines.get(2));
    }

    @Test
    void aLineLongerThanTheLimitGoesInPiecesEachAnObject() {
        byte[] bytes = ("x".repeat(40 * 1024) + "\n").getBytes(StandardCharsets.US_ASCII);
        List<String> lines = new String(relay(bytes, RelayedLine.json(0, 1, "stdout")), StandardCharsets.UTF_8)
                .lines().toList();
        assertEquals(3, lines.size());
        lines.forEach(line -> assertTrue(line.startsWith("{") && line.endsWith("\"}"), line.substring(0, 40)));
    }
}
