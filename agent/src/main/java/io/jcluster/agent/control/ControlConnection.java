package io.jcluster.agent.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One end of a control connection over a blocking channel. Every message is a frame: a 4-byte big-endian length
 * (of what follows it), a kind byte ({@code 0} a text message of {@link ControlMessage}, {@code 1} a binary
 * {@link ClusterFrame}), and the body.
 */
public final class ControlConnection implements AutoCloseable {

    /** Longer text messages are not ours: no line comes close. */
    private static final int MAX_TEXT = 1024;
    /** The largest Cluster API frame: a message of the largest max-message with its topic and fields. */
    public static final int MAX_CLUSTER_FRAME = 8 * 1024 * 1024 + 4 * 1024;
    private static final byte TEXT = 0;
    private static final byte CLUSTER = 1;

    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(5);
    private final Object writeLock = new Object();

    ControlConnection(SocketChannel channel) {
        this.channel = channel;
    }

    public void send(ControlMessage message) throws IOException {
        byte kind;
        byte[] body;
        if (message instanceof ControlMessage.Cluster cluster) {
            kind = CLUSTER;
            body = ClusterFrameCodec.encode(cluster.frame());
        } else {
            kind = TEXT;
            body = message.encode().getBytes(StandardCharsets.UTF_8);
        }
        ByteBuffer[] frame = {ByteBuffer.allocate(5).putInt(body.length + 1).put(kind).flip(), ByteBuffer.wrap(body)};
        synchronized (writeLock) {
            while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    /** Sends a Cluster API frame. */
    public void send(ClusterFrame frame) throws IOException {
        send(new ControlMessage.Cluster(frame));
    }

    /** The next message, or null at end of stream. Only one thread receives. */
    public ControlMessage receive() throws IOException, ControlMessage.MalformedMessage {
        header.clear();
        if (!readFully(header, true)) {
            return null;
        }
        header.flip();
        int length = header.getInt() - 1;
        byte kind = header.get();
        if (length < 0) {
            throw new ControlMessage.MalformedMessage("a frame of negative length");
        }
        if (kind == TEXT && length > MAX_TEXT) {
            throw new ControlMessage.MalformedMessage("text message longer than " + MAX_TEXT + " bytes");
        }
        if (kind == CLUSTER && length > MAX_CLUSTER_FRAME) {
            throw new ControlMessage.MalformedMessage("cluster frame of " + length + " bytes, more than "
                    + MAX_CLUSTER_FRAME);
        }
        if (kind != TEXT && kind != CLUSTER) {
            throw new ControlMessage.MalformedMessage("unknown frame kind " + kind);
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body, false);
        if (kind == CLUSTER) {
            return new ControlMessage.Cluster(ClusterFrameCodec.decode(body.array()));
        }
        return ControlMessage.decode(new String(body.array(), StandardCharsets.UTF_8));
    }

    /** False at a clean end of stream before the first byte (when {@code endAllowed}); an end mid-frame throws. */
    private boolean readFully(ByteBuffer buffer, boolean endAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("the connection ended inside a frame");
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
