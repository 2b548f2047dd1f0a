package io.jcluster.sessions;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The record every server stores: its round trip, unshareable values, and bytes from a damaged or hostile store. */
class SessionRecordTest {

    private static final ClassLoader LOADER = SessionRecordTest.class.getClassLoader();

    /** An app's own session value. */
    record Cart(String owner, List<String> items) implements Serializable {
    }

    /** Serializable itself, but it holds something that is not. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name = "holder";
        final Object inner;

        Holder(Object inner) {
            this.inner = inner;
        }
    }

    /** Not serializable: a connection, a lock, a lambda in an app's session. */
    static final class Connection {
    }

    private static SessionRecord sample() throws SessionRecord.Unshareable {
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        attributes.put("count", SessionRecord.serialize("count", 7));
        attributes.put("cart", SessionRecord.serialize("cart", new Cart("ann", List.of("tea", "cup"))));
        attributes.put("empty", new byte[0]);
        attributes.put("naïve ключ ✓", SessionRecord.serialize("naïve ключ ✓", "välue"));
        return new SessionRecord("8F3A9C0D1E2B4F5A6B7C8D9E0F1A2B3C.w1", 1_700_000_000_000L, 1_700_000_123_456L, 1800,
                attributes);
    }

    @Test
    void aRecordSurvivesTheRoundTripWithItsAttributesInOrder() throws Exception {
        SessionRecord record = sample();
        SessionRecord back = SessionRecord.decode(record.encode());
        assertEquals(record.id(), back.id());
        assertEquals(record.creationTime(), back.creationTime());
        assertEquals(record.lastAccessedTime(), back.lastAccessedTime());
        assertEquals(record.maxInactiveSeconds(), back.maxInactiveSeconds());
        assertEquals(List.copyOf(record.attributes().keySet()), List.copyOf(back.attributes().keySet()));
        record.attributes().forEach((name, value) -> assertArrayEquals(value, back.attributes().get(name), name));
        assertEquals(7, SessionRecord.deserialize(back.attributes().get("count"), LOADER));
        assertEquals(new Cart("ann", List.of("tea", "cup")),
                SessionRecord.deserialize(back.attributes().get("cart"), LOADER));
        assertEquals("välue", SessionRecord.deserialize(back.attributes().get("naïve ключ ✓"), LOADER));
        assertArrayEquals(record.encode(), back.encode(), "the same record encodes to the same bytes");
    }

    @Test
    void aSessionWithoutAttributesAndWithoutTimeoutSurvivesToo() throws Exception {
        SessionRecord record = new SessionRecord("x", 1, 2, -1, Map.of());
        SessionRecord back = SessionRecord.decode(record.encode());
        assertEquals(record, back, "no arrays to compare: the records are equal");
    }

    @Test
    void theAttributesAreACopyTheCallerCannotChangeAfterwards() throws Exception {
        Map<String, byte[]> attributes = new HashMap<>();
        attributes.put("a", new byte[] {1});
        SessionRecord record = new SessionRecord("x", 1, 2, 60, attributes);
        attributes.put("b", new byte[] {2});
        assertEquals(1, record.attributes().size());
        assertThrows(UnsupportedOperationException.class, () -> record.attributes().put("c", new byte[0]));
    }

    @Test
    void valuesAreResolvedByTheGivenLoaderTheWebAppsLoader() throws Exception {
        List<String> asked = new ArrayList<>();
        ClassLoader webApp = new ClassLoader(LOADER) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                asked.add(name);
                return super.loadClass(name, resolve);
            }
        };
        Object back = SessionRecord.deserialize(SessionRecord.serialize("cart",
                new Cart("bob", List.of())), webApp);
        assertEquals(new Cart("bob", List.of()), back);
        assertTrue(asked.contains(Cart.class.getName()), asked.toString());
    }

    @Test
    void aValueThatIsNotSerializableIsNamedWithItsAttributeAndClass() {
        SessionRecord.Unshareable e = assertThrows(SessionRecord.Unshareable.class,
                () -> SessionRecord.serialize("db", new Connection()));
        assertEquals("attribute 'db' holds a " + Connection.class.getName() + ", which is not Serializable",
                e.getMessage());
    }

    @Test
    void aNestedValueThatIsNotSerializableIsNamedWithTheAttributeTheHolderAndItsOwnClass() {
        SessionRecord.Unshareable e = assertThrows(SessionRecord.Unshareable.class,
                () -> SessionRecord.serialize("user", new Holder(new Connection())));
        assertEquals("attribute 'user' (a " + Holder.class.getName() + ") refers to a " + Connection.class.getName()
                + ", which is not Serializable", e.getMessage());
        SessionRecord.Unshareable inList = assertThrows(SessionRecord.Unshareable.class,
                () -> SessionRecord.serialize("list", new ArrayList<>(List.of("a", new Connection()))));
        assertTrue(inList.getMessage().contains(Connection.class.getName()), inList.getMessage());
        assertTrue(inList.getMessage().startsWith("attribute 'list' (a java.util.ArrayList)"), inList.getMessage());
    }

    @Test
    void bytesOfAnyOtherKindAreRefused() {
        for (byte[] stranger : List.of(new byte[0], new byte[] {1}, new byte[] {0x4A, 0x43, 0x53},
                "JCS2 not a record".getBytes(), "{\"json\":true}".getBytes())) {
            IOException e = assertThrows(IOException.class, () -> SessionRecord.decode(stranger));
            assertEquals("not a jcluster session record", e.getMessage());
        }
    }

    @Test
    void everyTruncationOfARecordIsRefusedWithAnIOException() throws Exception {
        byte[] whole = sample().encode();
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            assertThrows(IOException.class, () -> SessionRecord.decode(cut), "cut to " + length + " bytes");
        }
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        IOException e = assertThrows(IOException.class, () -> SessionRecord.decode(longer));
        assertEquals("1 bytes after the last attribute", e.getMessage());
    }

    @Test
    void aHugeClaimedAttributeLengthOrCountIsRefusedNotAllocated() throws Exception {
        // JCS1, id "x", times, timeout, 1 attribute "a" claiming Integer.MAX_VALUE bytes
        ByteBuffer hostile = ByteBuffer.allocate(4 + 3 + 8 + 8 + 4 + 4 + 3 + 4 + 2);
        hostile.putInt(0x4A435331).putShort((short) 1).put((byte) 'x').putLong(1).putLong(2).putInt(60).putInt(1)
                .putShort((short) 1).put((byte) 'a').putInt(Integer.MAX_VALUE).put(new byte[] {1, 2});
        IOException e = assertThrows(IOException.class, () -> SessionRecord.decode(hostile.array()));
        assertEquals("attribute 'a' claims 2147483647 bytes; 2 are left", e.getMessage());

        for (int count : new int[] {-1, Integer.MAX_VALUE, 65_537}) {
            ByteBuffer many = ByteBuffer.allocate(4 + 3 + 8 + 8 + 4 + 4);
            many.putInt(0x4A435331).putShort((short) 1).put((byte) 'x').putLong(1).putLong(2).putInt(60).putInt(count);
            IOException refused = assertThrows(IOException.class, () -> SessionRecord.decode(many.array()));
            assertEquals("a session record with " + count + " attributes", refused.getMessage());
        }
        ByteBuffer negative = ByteBuffer.allocate(4 + 3 + 8 + 8 + 4 + 4 + 3 + 4);
        negative.putInt(0x4A435331).putShort((short) 1).put((byte) 'x').putLong(1).putLong(2).putInt(60).putInt(1)
                .putShort((short) 1).put((byte) 'a').putInt(-5);
        assertThrows(IOException.class, () -> SessionRecord.decode(negative.array()));
    }

    /** Java serialization allocates an array at the length the stream claims; a value may not claim more than it has. */
    @Test
    void aSerializedArrayClaimingAHugeLengthIsRefusedNotAllocated() throws Exception {
        for (Object array : new Object[] {new byte[] {1, 2, 3, 4}, new long[] {1, 2, 3, 4}, new String[] {"a", "b"}}) {
            byte[] value = SessionRecord.serialize("a", array);
            int at = lengthOffset(value, array);
            ByteBuffer.wrap(value).putInt(at, Integer.MAX_VALUE - 8);
            try {
                SessionRecord.deserialize(value, LOADER);
                fail("a " + array.getClass().getSimpleName() + " claiming 2^31 elements was read");
            } catch (IOException expected) {
                // refused
            } catch (OutOfMemoryError e) {
                fail("allocated what a " + array.getClass().getSimpleName() + " value of " + value.length
                        + " bytes claimed: " + e);
            }
        }
        Map<String, byte[]> nested = new HashMap<>();
        nested.put("k", new byte[] {9, 9, 9});
        byte[] map = SessionRecord.serialize("map", new HashMap<>(nested));
        assertEquals(3, ((byte[]) ((Map<?, ?>) SessionRecord.deserialize(map, LOADER)).get("k")).length,
                "a real array within its value is read");
    }

    @Test
    void everyTruncationOfAValueIsAnIOException() throws Exception {
        byte[] value = SessionRecord.serialize("cart", new Cart("ann", List.of("tea", "cup")));
        for (int length = 0; length < value.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(value, length);
            assertThrows(IOException.class, () -> SessionRecord.deserialize(cut, LOADER), "cut to " + length);
        }
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButIOExceptionOrClassNotFound() throws Exception {
        Random random = new Random(15);
        for (int i = 0; i < 2_000; i++) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            if (i % 2 == 0 && noise.length >= 4) { // a valid header, so the stream's body is what is tested
                noise[0] = (byte) 0xAC;
                noise[1] = (byte) 0xED;
                noise[2] = 0;
                noise[3] = 5;
            }
            try {
                SessionRecord.deserialize(noise, LOADER);
            } catch (IOException | ClassNotFoundException expected) {
                // refused; anything else (a RuntimeException, an Error) fails the test
            }
            try {
                SessionRecord.decode(noise);
            } catch (IOException expected) {
                // refused
            }
        }
    }

    /** Where a serialized array's element count is: right before its elements. */
    private static int lengthOffset(byte[] value, Object array) throws IOException {
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(empty)) {
            out.writeObject(java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), 0));
        }
        // the same stream with no elements ends with the count: the class descriptor has the same bytes
        return empty.size() - 4;
    }
}
