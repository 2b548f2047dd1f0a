package io.jcluster.agent.cluster.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A published message as it crosses Redis: who sent it (the parent's random host id and its worker), the topic and
 * the payload, in one binary value:
 * {@code version(1) | host id(16) | worker(4) | topic length(2) | topic (ASCII) | payload}.
 *
 * <p>Anything may publish on the channel (every client of that Redis can), so {@link #decode} trusts nothing: a value
 * that is too short, of another version, with a topic outside the topic rule or a payload over max-message is refused
 * (null), never delivered to a worker.
 */
record MessageEnvelope(long hostHigh, long hostLow, int worker, String topic, byte[] payload) {

    static final byte VERSION = 1;
    static final int MAX_TOPIC = 200;
    private static final int HEADER = 1 + 16 + 4 + 2;

    byte[] encode() {
        byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(HEADER + name.length + payload.length).put(VERSION).putLong(hostHigh)
                .putLong(hostLow).putInt(worker).putShort((short) name.length).put(name).put(payload).array();
    }

    /** The envelope, or null when the value is not one this version wrote (or its payload is over the limit). */
    static MessageEnvelope decode(byte[] value, long maxPayload) {
        if (value == null || value.length < HEADER || value[0] != VERSION) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
        long high = in.getLong();
        long low = in.getLong();
        int worker = in.getInt();
        int topicLength = Short.toUnsignedInt(in.getShort());
        if (topicLength < 1 || topicLength > MAX_TOPIC || topicLength > in.remaining()) {
            return null;
        }
        byte[] name = new byte[topicLength];
        in.get(name);
        for (byte b : name) {
            if (!topicCharacter(b)) {
                return null;
            }
        }
        if (in.remaining() > maxPayload) {
            return null;
        }
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new MessageEnvelope(high, low, worker, new String(name, StandardCharsets.US_ASCII), payload);
    }

    /** The API's topic rule: {@code [A-Za-z0-9._:-]}. */
    private static boolean topicCharacter(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '.' || b == '_' || b == ':' || b == '-';
    }
}
