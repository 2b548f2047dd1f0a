package io.jcluster.agent.stopport;

import io.jcluster.agent.stopport.JettyStopReader.Verdict;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jetty's stop port as its ShutdownService reads it (a key line, a command line), on an EmbeddedChannel. */
class JettyStopReaderTest {

    private static final long DEADLINE_MILLIS = 10_000;
    private static final String KEY = "secret";

    private final List<Verdict> verdicts = new ArrayList<>();

    private EmbeddedChannel connect() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new JettyStopReader(KEY, DEADLINE_MILLIS, verdicts::add));
        return channel;
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    /** What the reader wrote back, as text ("" when nothing). */
    private static String answered(EmbeddedChannel channel) {
        StringBuilder answer = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            answer.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return answer.toString();
    }

    @Test
    void startJarStopWaitsForStoppedOnceTheClusterHasStopped() {
        // org.eclipse.jetty.start.Main#stop: key CR LF, "stop" CR LF; with STOP.WAIT it reads lines until the end
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\nstop\r\n"));
        assertEquals(List.of(Verdict.STOP), verdicts);
        assertTrue(channel.isOpen(), "the client waits while the cluster stops");
        assertEquals("", answered(channel));
        channel.advanceTimeBy(DEADLINE_MILLIS * 10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "the deadline no longer applies once the stop is under way");
        JettyStopReader.answerStopped(channel);
        assertEquals("Stopped\r\n", answered(channel));
        assertFalse(channel.isOpen(), "then the end of the stream, as when Jetty's JVM exits");
        assertEquals(List.of(Verdict.STOP), verdicts);
    }

    @Test
    void startJarStopWithoutWaitingClosesAtOnce() {
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\nstop\r\n"));
        channel.close();
        assertEquals(List.of(Verdict.STOP), verdicts, "one verdict, from the bytes, not the close");
    }

    @Test
    void linesEndAsLineNumberReaderEndsThem() {
        for (String request : new String[] {KEY + "\nstop\n", KEY + "\rstop\r", KEY + "\r\nstop", KEY + "\nstop"}) {
            verdicts.clear();
            EmbeddedChannel channel = connect();
            channel.writeInbound(bytes(request));
            channel.pipeline().fireChannelInactive(); // the end of the stream ends an unterminated last line
            assertEquals(List.of(Verdict.STOP), verdicts, request);
        }
    }

    @Test
    void aCarriageReturnAndItsLineFeedMayArriveApart() {
        EmbeddedChannel channel = connect();
        for (char c : (KEY + "\r").toCharArray()) {
            channel.writeInbound(bytes(String.valueOf(c)));
        }
        channel.writeInbound(bytes("\nsto"));
        assertEquals(List.of(), verdicts, "the LF after the CR is no empty command line");
        channel.writeInbound(bytes("p\r"));
        assertEquals(List.of(Verdict.STOP), verdicts);
    }

    @Test
    void everyStopCommandOfJettyStopsTheClusterInAnyCase() {
        for (String command : new String[] {"stop", "STOP", "forcestop", "ForceStop", "stopexit", "exit"}) {
            verdicts.clear();
            EmbeddedChannel channel = connect();
            channel.writeInbound(bytes(KEY + "\r\n" + command + "\r\n"));
            assertEquals(List.of(Verdict.STOP), verdicts, command);
        }
    }

    @Test
    void aWrongKeyIsClosedUnansweredBeforeAnyCommand() {
        for (String key : new String[] {"Secret", "secre", "secretx", " secret", "secret ", "", "secret\u0000",
                "s\u00e9cret"}) {
            verdicts.clear();
            EmbeddedChannel channel = connect();
            channel.writeInbound(bytes(key + "\r\nstop\r\n"));
            assertEquals(List.of(Verdict.WRONG_KEY), verdicts, "one verdict: nothing after a wrong key counts");
            assertFalse(channel.isOpen(), key);
            assertEquals("", answered(channel), "Jetty answers a wrong key with nothing");
        }
    }

    @Test
    void anEmptyConnectionIsNoKey() {
        EmbeddedChannel channel = connect();
        channel.close();
        assertEquals(List.of(Verdict.WRONG_KEY), verdicts);
    }

    @Test
    void theRightKeyWithoutACommandDoesNothing() {
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\n"));
        assertEquals(List.of(), verdicts);
        channel.close();
        assertEquals(List.of(Verdict.UNKNOWN_COMMAND), verdicts);

        verdicts.clear();
        channel = connect();
        channel.writeInbound(bytes(KEY + "\r\n\r\nstop\r\n"));
        assertEquals(List.of(Verdict.UNKNOWN_COMMAND), verdicts, "an empty line is the command, as Jetty reads it");
    }

    @Test
    void anUnknownCommandIsIgnored() {
        for (String command : new String[] {"restart", "stop now", " stop", "st\u00f6p"}) {
            verdicts.clear();
            EmbeddedChannel channel = connect();
            channel.writeInbound(bytes(KEY + "\r\n" + command + "\r\n"));
            assertEquals(List.of(Verdict.UNKNOWN_COMMAND), verdicts, command);
            assertFalse(channel.isOpen());
            assertEquals("", answered(channel));
        }
    }

    @Test
    void statusIsAnsweredOk() {
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\nstatus\r\n"));
        assertEquals(List.of(Verdict.STATUS), verdicts);
        assertEquals("OK\r\n", answered(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void pidIsAnsweredWithTheParentsPid() {
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\npid\r\n"));
        assertEquals(List.of(Verdict.PID), verdicts);
        assertEquals(Long.toString(ProcessHandle.current().pid()), answered(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void aKeyLineFloodIsCutOffAtTheBoundAndReleased() {
        EmbeddedChannel channel = connect();
        ByteBuf flood = bytes("s".repeat(64 * 1024));
        channel.writeInbound(flood);
        assertEquals(List.of(Verdict.WRONG_KEY), verdicts, JettyStopReader.MAX_KEY_LINE
                + " bytes without a line end: decided, long before the deadline");
        assertFalse(channel.isOpen());
        assertEquals(0, flood.refCnt(), "the reader released what it was given");
    }

    @Test
    void aKeyLineAtTheBoundIsStillRead() {
        String longKey = "k".repeat(JettyStopReader.MAX_KEY_LINE);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new JettyStopReader(longKey, DEADLINE_MILLIS, verdicts::add));
        channel.writeInbound(bytes(longKey + "\r\nstop\r\n"));
        assertEquals(List.of(Verdict.STOP), verdicts);
    }

    @Test
    void aCommandLineFloodIsCutOffAtTheBound() {
        EmbeddedChannel channel = connect();
        channel.writeInbound(bytes(KEY + "\r\n" + "stop".repeat(1024)));
        assertEquals(List.of(Verdict.UNKNOWN_COMMAND), verdicts);
        assertFalse(channel.isOpen());
    }

    @Test
    void theDeadlineClosesAConnectionThatDripsBytes() {
        EmbeddedChannel slow = connect();
        slow.writeInbound(bytes(KEY.substring(0, 3)));
        slow.advanceTimeBy(DEADLINE_MILLIS - 1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertTrue(slow.isOpen());
        slow.writeInbound(bytes(KEY.substring(3) + "\r\nst"));
        slow.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertEquals(List.of(Verdict.TIMED_OUT), verdicts, "the deadline counts from the connect, not the last byte");
        assertFalse(slow.isOpen());
        assertNull(slow.readOutbound());
    }
}
