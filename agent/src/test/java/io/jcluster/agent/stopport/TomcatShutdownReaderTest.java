package io.jcluster.agent.stopport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shutdown port's reading rules, as Tomcat's StandardServer#await applies them, on an EmbeddedChannel. */
class TomcatShutdownReaderTest {

    private static final long DEADLINE_MILLIS = 10_000;

    private final List<Boolean> verdicts = new ArrayList<>();

    private EmbeddedChannel connect(String command) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new TomcatShutdownReader(command, DEADLINE_MILLIS, verdicts::add));
        return channel;
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void theCommandThenTheEndOfTheStreamMatches() {
        // Catalina#stopServer (catalina.sh stop): writes the command, then closes
        EmbeddedChannel channel = connect("SHUTDOWN");
        channel.writeInbound(bytes("SHUT"));
        channel.writeInbound(bytes("DOWN"));
        assertEquals(List.of(), verdicts, "nothing is decided before the command ends");
        channel.pipeline().fireChannelInactive();
        assertEquals(List.of(true), verdicts);
    }

    @Test
    void aControlCharacterEndsTheCommandAndTheConnection() {
        EmbeddedChannel channel = connect("SHUTDOWN");
        channel.writeInbound(bytes("SHUTDOWN\r\nmore after the line"));
        assertEquals(List.of(true), verdicts);
        assertFalse(channel.isOpen(), "the connection closes once the command ended");
        channel.pipeline().fireChannelInactive();
        assertEquals(List.of(true), verdicts, "one verdict per connection");
    }

    @Test
    void aWrongCommandIsIgnored() {
        for (String wrong : new String[] {"shutdown\n", "SHUTDOWNX\n", "SHUTDOW\n", " SHUTDOWN\n", "\nSHUTDOWN",
                "SHUT\u0000DOWN", "SHUTDOWN\u007f"}) {
            // "SHUTDOWN\u007f" is SHUTDOWN then DEL, a control character: Tomcat reads SHUTDOWN
            boolean expected = wrong.equals("SHUTDOWN\u007f");
            verdicts.clear();
            EmbeddedChannel channel = connect("SHUTDOWN");
            channel.writeInbound(bytes(wrong));
            channel.pipeline().fireChannelInactive();
            assertEquals(List.of(expected), verdicts, wrong);
            assertFalse(channel.isOpen());
        }
    }

    @Test
    void anEmptyConnectionIsNoCommand() {
        EmbeddedChannel channel = connect("SHUTDOWN");
        channel.close();
        assertEquals(List.of(false), verdicts);
    }

    @Test
    void bytesAreCharactersAsTomcatReadsThem() {
        // StandardServer#await appends (char) byte: ISO-8859-1
        EmbeddedChannel channel = connect("stopp\u00e9");
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'s', 't', 'o', 'p', 'p', (byte) 0xe9, '\n'}));
        assertEquals(List.of(true), verdicts);
    }

    @Test
    void readingStopsAt1024CharactersAndKeepsNothingBeyond() {
        EmbeddedChannel channel = connect("SHUTDOWN");
        ByteBuf flood = bytes("A".repeat(64 * 1024));
        channel.writeInbound(flood);
        assertEquals(List.of(false), verdicts, "1024 characters and no end: decided, not matched");
        assertFalse(channel.isOpen());
        assertEquals(0, flood.refCnt(), "the reader released what it was given");
    }

    @Test
    void theCommandPrefixedToAFloodIsNotTheCommand() {
        // Tomcat compares the first 1024 characters with the command: SHUTDOWN followed by more is another text
        EmbeddedChannel channel = connect("SHUTDOWN");
        channel.writeInbound(bytes("SHUTDOWN" + "A".repeat(2000)));
        assertEquals(List.of(false), verdicts);
    }

    @Test
    void aCommandLongerThan1024CharactersIsReadWhole() {
        String longCommand = "k".repeat(1500);
        EmbeddedChannel channel = connect(longCommand);
        channel.writeInbound(bytes(longCommand));
        assertEquals(List.of(true), verdicts, "the limit grows to the command's length, as Tomcat's does");
    }

    @Test
    void theDeadlineEndsTheCommandWhereverItIs() {
        EmbeddedChannel slow = connect("SHUTDOWN");
        slow.writeInbound(bytes("SHUT"));
        slow.advanceTimeBy(DEADLINE_MILLIS - 1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertTrue(slow.isOpen());
        slow.writeInbound(bytes("D"));
        slow.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertEquals(List.of(false), verdicts, "a byte now and then does not hold the connection past the deadline");
        assertFalse(slow.isOpen());

        verdicts.clear();
        EmbeddedChannel idle = connect("SHUTDOWN");
        idle.writeInbound(bytes("SHUTDOWN"));
        idle.advanceTimeBy(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        idle.runScheduledPendingTasks();
        assertEquals(List.of(true), verdicts, "the command, unterminated, counts when the time is up (as Tomcat's read"
                + " timeout ends it)");
    }

    @Test
    void anEmptyConfiguredCommandMatchesAnEmptyConnectionAsInTomcat() {
        EmbeddedChannel channel = connect("");
        channel.writeInbound(bytes("\n"));
        assertEquals(List.of(true), verdicts);
    }
}
