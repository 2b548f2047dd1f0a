package io.jcluster.sessions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One session as the cluster stores it, the same for every server: id, times, timeout and each attribute's value
 * serialized on its own, so a value that cannot be serialized is found by name before anything is stored.
 *
 * @param lastAccessedTime   epoch millis of the last request that used the session
 * @param maxInactiveSeconds the session's timeout; 0 or less: it never times out
 * @param attributes         by name, each value in Java serialization form
 */
public record SessionRecord(String id, long creationTime, long lastAccessedTime, int maxInactiveSeconds,
                            Map<String, byte[]> attributes) {

    /** Leads every record, so bytes of any other kind are refused rather than misread. */
    private static final int MAGIC = 0x4A435331; // "JCS1"
    private static final int MAX_ATTRIBUTES = 65_536;

    public SessionRecord {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A value that cannot be stored; names the attribute and the class at fault, for the one warning. */
    public static final class Unshareable extends Exception {
        public Unshareable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The attribute's value in serialized form.
     *
     * @throws Unshareable naming the attribute and the class that is not serializable
     */
    public static byte[] serialize(String attribute, Object value) throws Unshareable {
        if (!(value instanceof Serializable)) {
            throw new Unshareable("attribute '" + attribute + "' holds a " + className(value)
                    + ", which is not Serializable");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new Unshareable("attribute '" + attribute + "' (a " + className(value) + ") refers to a "
                    + e.getMessage() + ", which is not Serializable");
        } catch (IOException | RuntimeException e) {
            throw new Unshareable("attribute '" + attribute + "' (a " + className(value) + ") failed to serialize: "
                    + e);
        }
        return bytes.toByteArray();
    }

    /**
     * The attribute's value, its classes resolved by {@code loader} (the web app's), as the server would have
     * read it back from its own session persistence.
     *
     * <p>An array in the stream may not claim more elements than the value has bytes (each element takes one at
     * least): Java serialization allocates an array at the length the stream claims, so four bytes of a damaged or
     * hostile value could otherwise ask for gigabytes. Such a value is refused with an {@link IOException}, as is
     * every other malformed one (Java serialization throws runtime exceptions for some, such as a negative array
     * length): the caller has one failure to handle. Any filter the JVM has ({@code jdk.serialFilter}) still applies.
     */
    public static Object deserialize(byte[] value, ClassLoader loader) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(value), loader)) {
            ObjectInputFilter arrays = info -> info.arrayLength() > value.length
                    ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED;
            ObjectInputFilter jvm = in.getObjectInputFilter();
            in.setObjectInputFilter(jvm == null ? arrays : ObjectInputFilter.merge(arrays, jvm));
            return in.readObject();
        } catch (RuntimeException e) {
            StreamCorruptedException corrupt = new StreamCorruptedException("a session attribute that does not"
                    + " deserialize: " + e);
            corrupt.initCause(e);
            throw corrupt;
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(id);
            out.writeLong(creationTime);
            out.writeLong(lastAccessedTime);
            out.writeInt(maxInactiveSeconds);
            out.writeInt(attributes.size());
            for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
                out.writeUTF(attribute.getKey());
                out.writeInt(attribute.getValue().length);
                out.write(attribute.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IOException when {@code record} is not a whole record (a stranger's or a truncated value: the caller
     *                     treats the session as absent and says so)
     */
    public static SessionRecord decode(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        if (record.length < 4 || in.readInt() != MAGIC) {
            throw new IOException("not a jcluster session record");
        }
        String id = in.readUTF();
        long creationTime = in.readLong();
        long lastAccessedTime = in.readLong();
        int maxInactiveSeconds = in.readInt();
        int count = in.readInt();
        if (count < 0 || count > MAX_ATTRIBUTES) {
            throw new IOException("a session record with " + count + " attributes");
        }
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new IOException("attribute '" + name + "' claims " + length + " bytes; " + in.available()
                        + " are left");
            }
            attributes.put(name, in.readNBytes(length));
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " bytes after the last attribute");
        }
        return new SessionRecord(id, creationTime, lastAccessedTime, maxInactiveSeconds, attributes);
    }

    private static String className(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    /** Resolves the classes of a value with the web app's loader, which the default (the caller's) cannot see. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(description.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(description);
            }
        }
    }
}
