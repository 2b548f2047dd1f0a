package io.jcluster.agent.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of a control connection. Every message is a frame: a 4-byte big-endian length (of what follows it), a kind
 * byte ({@code 0} a text message of {@link ControlMessage}, {@code 1} a binary {@link ClusterFrame}), and the body.
 *
 * <p>The channel is in non-blocking mode, waiting in selectors: a blocking {@link SocketChannel} is closed for good
 * when a thread blocked in it, or entering it, is interrupted, and in a worker the app's own threads send (a Cluster
 * API call from a cancelled task). A non-blocking channel ignores interrupts, so any thread may write directly,
 * without handing the frame to a thread of jcluster's.
 *
 * <p>Senders queue their frames in order; whichever finds no other writing becomes the writer and writes the queue
 * out, waiting for the socket when the peer reads slowly. The others return once their frame is queued: a peer that
 * reads nothing holds up one thread, not every sender (nor whatever lock a sender holds). The queue is bounded in
 * bytes ({@link #MAX_QUEUED}); past that a sender waits for room, so a stalled peer costs bounded memory.
 */
public final class ControlConnection implements AutoCloseable {

    /** Longer text messages are not ours: no line comes close. */
    private static final int MAX_TEXT = 1024;
    /** The largest Cluster API frame: a message of the largest max-message with its topic and fields. */
    public static final int MAX_CLUSTER_FRAME = 8 * 1024 * 1024 + 4 * 1024;
    /** Queued frames' bytes past which a sender waits for room (a larger frame still goes when the queue is empty). */
    static final long MAX_QUEUED = 2L * MAX_CLUSTER_FRAME;
    private static final byte TEXT = 0;
    private static final byte CLUSTER = 1;

    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(5);
    /** Frames not fully written yet, in send order; the head may be partly written. */
    private final Queue<ByteBuffer[]> queued = new ConcurrentLinkedQueue<>();
    /** Held by the one thread writing the queue out. */
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Guards {@link #queuedBytes} and {@link #broken}; senders waiting for room wait on it. */
    private final Object room = new Object();
    private long queuedBytes;
    private IOException broken;
    private final Selector readable;
    private final Selector writable;

    ControlConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
    }

    /**
     * Sends {@code message} after every frame queued before it. Returns once it is written, or queued behind the
     * frames another thread is writing (that thread writes it); waits only for room in a full queue.
     */
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
        enqueue(frame, 5L + body.length);
        writeQueued();
    }

    private void enqueue(ByteBuffer[] frame, long size) throws IOException {
        boolean interrupted = false;
        try {
            synchronized (room) {
                while (broken == null && queuedBytes > 0 && queuedBytes + size > MAX_QUEUED) {
                    try {
                        room.wait();
                    } catch (InterruptedException e) {
                        // as in await: a send is not abandoned halfway; the interrupt status is kept
                        interrupted = true;
                    }
                }
                if (broken != null) {
                    throw new IOException("the control connection failed: " + broken.getMessage(), broken);
                }
                queuedBytes += size;
                // added under the lock: the queue's order is the order of the room granted
                queued.add(frame);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes the queue out unless another thread is at it. A frame queued just as the writer found the queue empty
     * is seen by one of the two: the writer looks again after it lets go.
     */
    private void writeQueued() throws IOException {
        while (!queued.isEmpty() && writing.compareAndSet(false, true)) {
            try {
                ByteBuffer[] frame;
                while ((frame = queued.peek()) != null) {
                    long size = frame[0].capacity() + (long) frame[1].capacity();
                    while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                        if (channel.write(frame) == 0) {
                            await(writable);
                        }
                    }
                    synchronized (room) {
                        if (broken == null) {
                            // else close() emptied the queue meanwhile
                            queued.poll();
                            queuedBytes -= size;
                            room.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                fail(e);
                throw e;
            } finally {
                writing.set(false);
            }
        }
    }

    /** The queued frames cannot go: they are dropped, and senders (also those waiting for room) get the failure. */
    private void fail(IOException cause) {
        synchronized (room) {
            if (broken == null) {
                broken = cause;
            }
            queued.clear();
            queuedBytes = 0;
            room.notifyAll();
        }
    }

    /** Frames queued and not fully written yet (for tests). */
    int queuedFrames() {
        return queued.size();
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
            int read = channel.read(buffer);
            if (read < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("the connection ended inside a frame");
            }
            if (read == 0) {
                await(readable);
            }
        }
        return true;
    }

    /**
     * Waits until the channel is ready in {@code selector}'s sense, or closed. An interrupt does not end the wait (a
     * frame is never left half written); the thread's interrupt status is kept for its caller.
     */
    private void await(Selector selector) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (selector.select() == 0) {
                if (!channel.isOpen()) {
                    throw new ClosedChannelException();
                }
                interrupted |= Thread.interrupted();
            }
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException closedMeanwhile) {
            throw new ClosedChannelException();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        fail(new ClosedChannelException());
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        // wakes a thread waiting in either selector; the selectors' own close follows
        readable.wakeup();
        writable.wakeup();
        closeQuietly(readable);
        closeQuietly(writable);
    }

    private static void closeQuietly(Selector selector) {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
