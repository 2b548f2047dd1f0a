package io.jcluster.agent.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** One end of a control connection: whole lines in, whole lines out, over a blocking channel. */
public final class ControlConnection implements AutoCloseable {

    /** Longer lines are not ours: no message comes close. */
    private static final int MAX_LINE = 1024;

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(4096).flip();
    private final Object writeLock = new Object();

    ControlConnection(SocketChannel channel) {
        this.channel = channel;
    }

    public void send(ControlMessage message) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((message.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            while (line.hasRemaining()) {
                channel.write(line);
            }
        }
    }

    /** The next message, or null at end of stream. */
    public ControlMessage receive() throws IOException, ControlMessage.MalformedMessage {
        String line = readLine();
        return line == null ? null : ControlMessage.decode(line);
    }

    private String readLine() throws IOException, ControlMessage.MalformedMessage {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!in.hasRemaining()) {
                in.clear();
                int read = channel.read(in);
                in.flip();
                if (read < 0) {
                    return null;
                }
                continue;
            }
            byte next = in.get();
            if (next == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new ControlMessage.MalformedMessage("line longer than " + MAX_LINE + " bytes");
            }
            line.write(next);
        }
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
