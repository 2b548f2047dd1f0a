package io.jcluster.agent.worker.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The app's frames to the parent, written by one thread of jcluster's own, "jcluster-control-writer". The control
 * connection is an interruptible channel: an app thread that wrote to it with its interrupt flag set, or that was
 * interrupted while it wrote (a cancelled task, a server's request timeout), would close it, and a worker without its
 * connection to the parent exits. Nobody interrupts this thread. The app's thread only queues its frame; when the
 * queue holds {@link #MAX_QUEUED_BYTES} already (the parent reads slower than the app publishes) it waits for room,
 * uninterruptibly, keeping its interrupt flag for the app: the same back-pressure the socket would give.
 */
final class WriterThread implements ToParent {

    /** Frames waiting to be written, at most, in their payload's bytes; an empty queue takes any one frame. */
    static final long MAX_QUEUED_BYTES = 16L << 20;
    /** What a frame without a payload counts as: its fields. */
    private static final long FRAME_BYTES = 64;

    private final ToParent connection;
    private final long maxQueuedBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** Guarded by {@code lock}: the frames not yet written; the head is being written. */
    private final ArrayDeque<ClusterFrame> frames = new ArrayDeque<>();
    /** Guarded by {@code lock}. */
    private long queuedBytes;
    /** Guarded by {@code lock}: why the connection is no longer written, or null. */
    private IOException failed;
    /** Guarded by {@code lock}. */
    private boolean started;

    WriterThread(ToParent connection, long maxQueuedBytes) {
        this.connection = connection;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Queues {@code frame}; an {@link IOException} when the connection failed or the parent is gone. */
    @Override
    public void send(ClusterFrame frame) throws IOException {
        long bytes = bytes(frame);
        lock.lock();
        try {
            while (failed == null && queuedBytes > 0 && queuedBytes + bytes > maxQueuedBytes) {
                notFull.awaitUninterruptibly();
            }
            if (failed != null) {
                throw new IOException("the connection to the parent is closed", failed);
            }
            frames.add(frame);
            queuedBytes += bytes;
            if (!started) {
                started = true;
                Thread writer = new Thread(this::writeForever, "jcluster-control-writer");
                writer.setDaemon(true);
                writer.start();
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The parent is gone: queued frames are dropped, waiting and later senders get an {@link IOException}. */
    void parentGone() {
        fail(new IOException("the parent is gone"));
    }

    private void writeForever() {
        while (true) {
            ClusterFrame frame;
            lock.lock();
            try {
                while (frames.isEmpty() && failed == null) {
                    notEmpty.awaitUninterruptibly();
                }
                if (failed != null) {
                    return;
                }
                frame = frames.peek();
            } finally {
                lock.unlock();
            }
            try {
                connection.send(frame);
            } catch (IOException e) {
                fail(e);
                return;
            }
            lock.lock();
            try {
                frames.poll();
                queuedBytes -= bytes(frame);
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void fail(IOException why) {
        lock.lock();
        try {
            if (failed == null) {
                failed = why;
            }
            frames.clear();
            queuedBytes = 0;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The bytes a frame brings beyond its fixed fields: what the bound is about. */
    static long bytes(ClusterFrame frame) {
        if (frame instanceof ClusterFrame.Publish publish) {
            return FRAME_BYTES + publish.message().length;
        }
        if (frame instanceof ClusterFrame.MapPut put) {
            return FRAME_BYTES + put.value().length;
        }
        if (frame instanceof ClusterFrame.MapPutIfAbsent put) {
            return FRAME_BYTES + put.value().length;
        }
        if (frame instanceof ClusterFrame.MapCompareAndSet cas) {
            return FRAME_BYTES + cas.update().length + (cas.expected() == null ? 0 : cas.expected().length);
        }
        return FRAME_BYTES;
    }
}
