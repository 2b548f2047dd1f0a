package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlConnection;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What the parent sends one worker, written by one thread of its own, so that a worker that reads its control
 * connection slowly (or not at all) holds up nobody else: whoever hands a frame over never blocks. Messages wait in
 * a bounded queue (frames and bytes); when it is full the message is dropped for this worker only and counted.
 * Replies and leadership changes wait in a queue of their own and are never dropped: a worker has only a few requests
 * outstanding (its app threads wait for their replies), and a lost grant or revocation would break leadership. They
 * are written before waiting messages; each queue keeps its own order, so each publisher's messages stay in order.
 */
final class Outbound {

    /** The limits of one worker's queue of messages. */
    record Limits(int frames, long bytes) {
        static final Limits DEFAULT = new Limits(4096, 16L * 1024 * 1024);
    }

    private final ControlConnection connection;
    private final Limits limits;
    private final MpscAtomicArrayQueue<ClusterFrame.Message> messages;
    private final MpscUnboundedAtomicArrayQueue<ClusterFrame> urgent = new MpscUnboundedAtomicArrayQueue<>(64);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** Set by whoever hands a frame over, cleared by the writer before it looks: no wake-up is lost between them. */
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Thread writer;
    private volatile boolean closed;

    Outbound(ControlConnection connection, Limits limits, String name) {
        this.connection = connection;
        this.limits = limits;
        this.messages = new MpscAtomicArrayQueue<>(limits.frames());
        this.writer = new Thread(this::writeLoop, name);
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /** Queues a message; false when this worker's queue is full (or the connection ended): dropped and counted. */
    boolean offerMessage(ClusterFrame.Message message) {
        long size = size(message);
        if (closed || queuedBytes.addAndGet(size) > limits.bytes()) {
            queuedBytes.addAndGet(-size);
            dropped.incrementAndGet();
            return false;
        }
        if (!messages.offer(message)) {
            queuedBytes.addAndGet(-size);
            dropped.incrementAndGet();
            return false;
        }
        wake();
        return true;
    }

    /** Queues a reply or a control frame: never dropped while the connection lasts. */
    void send(ClusterFrame frame) {
        if (closed) {
            return;
        }
        urgent.offer(frame);
        wake();
    }

    /** Messages dropped for this worker because its queue was full. */
    long dropped() {
        return dropped.get();
    }

    /** Messages written to this worker's connection. */
    long written() {
        return written.get();
    }

    /** Stops the writer; what is still queued is discarded (the worker is gone). */
    void close() {
        closed = true;
        LockSupport.unpark(writer);
    }

    private void wake() {
        if (!signalled.getAndSet(true)) {
            LockSupport.unpark(writer);
        }
    }

    private void writeLoop() {
        try {
            while (!closed) {
                signalled.getAndSet(false);
                ClusterFrame frame;
                while (!closed && (frame = next()) != null) {
                    connection.send(frame);
                    if (frame instanceof ClusterFrame.Message message) {
                        queuedBytes.addAndGet(-size(message));
                        written.incrementAndGet();
                    }
                }
                if (!closed && urgent.isEmpty() && messages.isEmpty()) {
                    LockSupport.park(this);
                }
            }
        } catch (IOException e) {
            // the worker went away: its reader thread sees the same and the hub forgets it
            closed = true;
        }
        urgent.clear();
        messages.clear();
        queuedBytes.set(0);
    }

    private ClusterFrame next() {
        ClusterFrame frame = urgent.poll();
        return frame != null ? frame : messages.poll();
    }

    /** What a queued message costs: its bytes and its topic, plus a frame's fixed fields. */
    private static long size(ClusterFrame.Message message) {
        return message.message().length + message.topic().length() * 3L + 64;
    }
}
