package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ClusterFrameCodecTest {

    private static final byte[] SOME = {0, 1, 2, (byte) 0xFF, 'x'};
    private static final String UNICODE_KEY = "clé-ключ-鍵-😀 with spaces";

    /** Every frame type, with the values at the edges of its fields. */
    static List<ClusterFrame> everyFrame() {
        return List.of(
                new ClusterFrame.Subscribe(1, "chat.room:1"),
                new ClusterFrame.Unsubscribe(Long.MAX_VALUE, "t"),
                new ClusterFrame.Publish("chat", SOME),
                new ClusterFrame.Publish("empty", new byte[0]),
                new ClusterFrame.MapGet(-1, "m", UNICODE_KEY),
                new ClusterFrame.MapPut(2, "sessions", "k", SOME, 0),
                new ClusterFrame.MapPut(3, "sessions", "k", new byte[0], Long.MAX_VALUE),
                new ClusterFrame.MapPutIfAbsent(4, "m", "k", SOME, 1),
                new ClusterFrame.MapRemove(5, "m", "k"),
                new ClusterFrame.MapCompareAndSet(6, "m", "k", null, SOME),
                new ClusterFrame.MapCompareAndSet(7, "m", "k", SOME, new byte[0]),
                new ClusterFrame.MapIncrement(8, "counters", "visits", Long.MIN_VALUE),
                new ClusterFrame.LeadershipReleased(9),
                new ClusterFrame.WorkerStats(4, 3, 200, Long.MAX_VALUE, 12_345, 17),
                new ClusterFrame.WorkerStats(1, 0, 0, 0, 5, 0,
                        new ClusterFrame.SessionCounts(20, 4_096, 21, Long.MAX_VALUE, 2, 1, 3)),
                new ClusterFrame.ValueReply(10, SOME),
                new ClusterFrame.ValueReply(11, null),
                new ClusterFrame.BooleanReply(12, true),
                new ClusterFrame.BooleanReply(13, false),
                new ClusterFrame.LongReply(14, -42),
                new ClusterFrame.DoneReply(15),
                new ClusterFrame.ErrorReply(16, "shared map 'm': the value of 'k' is not a number — " + UNICODE_KEY),
                new ClusterFrame.Message("chat", SOME, 3),
                new ClusterFrame.Message("chat", new byte[0], -1),
                new ClusterFrame.Leadership(Long.MAX_VALUE, true),
                new ClusterFrame.Leadership(0, false),
                new ClusterFrame.Workers(64));
    }

    @ParameterizedTest
    @MethodSource("everyFrame")
    void everyFrameSurvivesTheRoundTrip(ClusterFrame frame) throws Exception {
        byte[] body = ClusterFrameCodec.encode(frame);
        assertEquals(frame.type(), body[0], "the first byte is the type");
        ClusterFrame decoded = ClusterFrameCodec.decode(body);
        assertSameFrame(frame, decoded);
        assertArrayEquals(body, ClusterFrameCodec.encode(decoded));
    }

    @Test
    void theListCoversEveryFrameType() {
        Set<Class<?>> covered = new HashSet<>();
        everyFrame().forEach(frame -> covered.add(frame.getClass()));
        Set<Class<?>> all = new HashSet<>();
        collectRecords(ClusterFrame.class, all);
        assertEquals(all, covered);
        Set<Byte> types = new HashSet<>();
        everyFrame().forEach(frame -> types.add(frame.type()));
        assertEquals(all.size(), types.size(), "every frame type has its own type byte");
    }

    /** Any strict prefix of a frame is refused as malformed, never read as a shorter frame or another exception. */
    @ParameterizedTest
    @MethodSource("everyFrame")
    void aFrameCutShortIsMalformed(ClusterFrame frame) {
        byte[] body = ClusterFrameCodec.encode(frame);
        for (int length = 0; length < body.length; length++) {
            byte[] cut = Arrays.copyOf(body, length);
            assertThrows(ControlMessage.MalformedMessage.class, () -> ClusterFrameCodec.decode(cut),
                    frame + " cut to " + length + " of " + body.length + " bytes");
        }
    }

    @ParameterizedTest
    @MethodSource("everyFrame")
    void aFrameWithTrailingBytesIsMalformed(ClusterFrame frame) {
        byte[] body = ClusterFrameCodec.encode(frame);
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(longer));
        assertTrue(e.getMessage().contains("1 bytes too many"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 9, 16, 19, 22, 99, 105, 109, 113, 127, -128, -1})
    void anUnknownTypeIsMalformed(int type) {
        byte[] body = {(byte) type, 0, 0, 0, 0, 0, 0, 0, 1};
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(body));
        assertTrue(e.getMessage().contains("unknown cluster frame type"), e.getMessage());
    }

    @Test
    void anEmptyFrameIsMalformed() {
        assertThrows(ControlMessage.MalformedMessage.class, () -> ClusterFrameCodec.decode(new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(bytes = {2, 3, -1, -128, 127})
    void aBooleanOtherThanZeroOrOneIsMalformed(byte value) {
        byte[] reply = ByteBuffer.allocate(10).put((byte) 101).putLong(7).put(value).array();
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(reply));
        assertTrue(e.getMessage().contains("not a boolean"), e.getMessage());
        byte[] leadership = ByteBuffer.allocate(10).put((byte) 111).putLong(7).put(value).array();
        assertThrows(ControlMessage.MalformedMessage.class, () -> ClusterFrameCodec.decode(leadership));
    }

    /** Overlong encodings, lone continuation bytes, surrogates and truncated sequences are not UTF-8. */
    @ParameterizedTest
    @MethodSource("notUtf8")
    void aStringThatIsNotUtf8IsMalformed(byte[] text) {
        byte[] subscribe = ByteBuffer.allocate(1 + 8 + 2 + text.length).put((byte) 1).putLong(1)
                .putShort((short) text.length).put(text).array();
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(subscribe));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    static List<byte[]> notUtf8() {
        return List.of(new byte[]{(byte) 0xC3, 0x28}, new byte[]{'a', (byte) 0x80}, new byte[]{(byte) 0xC0, (byte) 0xAF},
                new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[]{'o', 'k', (byte) 0xE2, (byte) 0x82},
                new byte[]{(byte) 0xFF});
    }

    @Test
    void aStringLongerThanTheFrameIsCutShort() {
        byte[] subscribe = ByteBuffer.allocate(1 + 8 + 2 + 3).put((byte) 1).putLong(1).putShort((short) 0xFFFF)
                .put("abc".getBytes(StandardCharsets.US_ASCII)).array();
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(subscribe));
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
    }

    /** A byte field's length is checked against what is left before anything is allocated. */
    @ParameterizedTest
    @ValueSource(ints = {4, 1000, Integer.MAX_VALUE, -2, Integer.MIN_VALUE})
    void aBytesLengthBeyondTheFrameIsMalformed(int length) {
        byte[] publish = ByteBuffer.allocate(1 + 2 + 1 + 4 + 3).put((byte) 3).putShort((short) 1).put((byte) 't')
                .putInt(length).put(new byte[]{1, 2, 3}).array();
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class,
                () -> ClusterFrameCodec.decode(publish));
        assertTrue(e.getMessage().contains("byte field of length " + length), e.getMessage());
    }

    @Test
    void aStringTooLongForItsLengthFieldIsNotEncoded() {
        String topic = "x".repeat(0x10000);
        assertThrows(IllegalArgumentException.class,
                () -> ClusterFrameCodec.encode(new ClusterFrame.Subscribe(1, topic)));
        // the longest that fits does
        String longest = "x".repeat(0xFFFF);
        try {
            ClusterFrame.Subscribe decoded = (ClusterFrame.Subscribe) ClusterFrameCodec.decode(
                    ClusterFrameCodec.encode(new ClusterFrame.Subscribe(1, longest)));
            assertEquals(longest, decoded.topic());
        } catch (ControlMessage.MalformedMessage e) {
            fail(e);
        }
    }

    private static void collectRecords(Class<?> type, Set<Class<?>> into) {
        for (Class<?> sub : type.getPermittedSubclasses()) {
            if (sub.isRecord()) {
                into.add(sub);
            } else {
                collectRecords(sub, into);
            }
        }
    }

    /** Records compare arrays by identity; frames are equal when every field's value is. */
    static void assertSameFrame(ClusterFrame expected, ClusterFrame actual) throws ReflectiveOperationException {
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent component : expected.getClass().getRecordComponents()) {
            Object want = component.getAccessor().invoke(expected);
            Object got = component.getAccessor().invoke(actual);
            if (want instanceof byte[] bytes) {
                assertArrayEquals(bytes, (byte[]) got, component.getName());
            } else {
                assertTrue(Objects.equals(want, got), component.getName() + ": " + want + " != " + got);
            }
        }
    }
}
