package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one comma-separated list parser (RFC 9110 section 5.6.1), and what reads through it: Connection's options,
 * Upgrade's h2c, Transfer-Encoding's last coding, and the headers a Connection line makes hop-by-hop.
 */
class CommaListTest {

    @Test
    void elementsComeWithoutTheirWhitespaceEmptyOnesIncluded() {
        assertEquals(List.of("a", "b", "", "c", ""), elements(" a , b,,c ,\t"));
        assertEquals(List.of("keep-alive", "X-Secret"), elements("keep-alive,\tX-Secret"));
        assertEquals(List.of("a"), elements("a,"), "nothing after a trailing comma");
        assertEquals(List.of(), elements(""));
    }

    @Test
    void containsAndLastIsIgnoreCase() {
        assertTrue(list("websocket, H2C").contains("h2c"));
        assertFalse(list("h2cx, xh2c").contains("h2c"));
        assertTrue(lastIs("gzip, Chunked", "chunked"));
        assertTrue(lastIs("chunked", "chunked"));
        assertFalse(lastIs("chunked, gzip", "chunked"));
        assertFalse(lastIs("chunked,", "chunked"), "an empty last coding is not chunked");
    }

    @Test
    void connectionOptionsAreReadThroughIt() {
        MessageHead head = scan("GET / HTTP/1.0|Connection: ,Keep-Alive ,, X-A|Connection: upgrade|Upgrade: x||");
        assertTrue(head.keepAlive(), "keep-alive, whatever its case and the whitespace around it");
        assertTrue(head.connectionNamesOthers(), "X-A");
        head = scan("GET / HTTP/1.1|Host: a|Connection: keep-alive,\tUPGRADE|Upgrade: websocket, h2c||");
        assertTrue(head.upgrade());
        assertTrue(head.upgradeToH2c());
        assertFalse(head.connectionNamesOthers());
        head = scan("GET / HTTP/1.1|Host: a|Connection: x, close||");
        assertFalse(head.keepAlive());
        head = scan("GET / HTTP/1.1|Host: a|Connection: ,, ||");
        assertTrue(head.keepAlive());
        assertFalse(head.connectionNamesOthers(), "empty options name nothing");
    }

    @Test
    void connectionNamesHopByHopHeadersButNeverTheFramingOnes() {
        MessageHead head = scan("POST / HTTP/1.1|Host: a|Content-Length: 1|X-A: 1|Connection: x-a , content-length,"
                + "HOST,, x-b|X-B: 2|x-a: 3|X-C: 4|Upgrade: y||");
        HopByHopHeaders.drop(head, true);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < head.count(); i++) {
            if (!head.dropped(i)) {
                kept.add(new String(head.bytes(), head.lineStart(i), head.nameEnd(i) - head.lineStart(i),
                        StandardCharsets.ISO_8859_1));
            }
        }
        assertEquals(List.of("Host", "Content-Length", "X-C", "Upgrade"), kept);
    }

    private static List<String> elements(String value) {
        CommaList list = list(value);
        List<String> found = new ArrayList<>();
        while (list.next()) {
            found.add(value.substring(list.start(), list.end()));
            assertEquals(list.start() == list.end(), list.isEmpty());
        }
        return found;
    }

    private static CommaList list(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        return new CommaList().over(bytes, 0, bytes.length);
    }

    private static boolean lastIs(String value, String lower) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        return CommaList.lastIs(bytes, 0, bytes.length, lower);
    }

    private static MessageHead scan(String text) {
        MessageHead head = new MessageHead(true, 8192, 16384);
        ByteBuf in = Unpooled.copiedBuffer(text.replace("|", "\r\n"), StandardCharsets.ISO_8859_1);
        assertEquals(MessageHead.COMPLETE, head.scan(in), text);
        in.release();
        return head;
    }
}
