package io.jcluster.agent.log;

import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The http access log ({@code access-log=}): the event loops hand each finished request's {@link AccessEntry} to a
 * bounded queue and go on; one daemon thread turns entries into lines and writes them, in batches. An event loop
 * never waits for the disk: when the queue is full (the disk is slower than the requests) the entry is dropped and
 * counted, and the writer says so in the parent's log at most once per 10 s. {@link #reopen} (SIGUSR1) makes the
 * writer open the file again by its name, as nginx does for logrotate.
 *
 * <p>Memory is bounded: at most {@link #CAPACITY} entries wait, each with its texts cut to {@link AccessEntry}'s
 * limits (about 3 KiB at worst, a few hundred bytes usually).
 */
public final class AccessLog implements AutoCloseable {

    static final int CAPACITY = 8192;
    /** Bytes gathered before a write; the batch is written sooner when the queue runs empty. */
    private static final int BATCH = 32 * 1024;
    private static final long DROP_REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Destination destination;
    private final boolean json;
    private final MpscAtomicArrayQueue<AccessEntry> queue;
    private final LongAdder dropped = new LongAdder();
    /** Lines handed to the destination without an error; written by the writer thread only. */
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean reopenAsked = new AtomicBoolean();
    private final Thread writer;
    /** The writer is parked, or about to be: an offer wakes it. */
    private volatile boolean idle;
    private volatile boolean closed;

    private AccessLog(Destination destination, boolean json, int capacity) {
        this.destination = destination;
        this.json = json;
        this.queue = new MpscAtomicArrayQueue<>(capacity);
        this.writer = new Thread(this::run, "jcluster-access-log");
        writer.setDaemon(true);
    }

    /**
     * Opens {@code target} (a file, appended to and created if missing; or {@code stdout}) and starts the writer.
     * Its last lines are written when the JVM exits.
     *
     * @throws IOException when the file cannot be opened for writing
     */
    public static AccessLog open(String target, boolean json) throws IOException {
        Destination destination = target.equals("stdout") ? new Stdout(System.out) : new LogFile(target);
        AccessLog log = new AccessLog(destination, json, CAPACITY);
        log.writer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(log::close, "jcluster-access-log-close"));
        return log;
    }

    /** A log to {@code out} with room for {@code capacity} waiting entries (tests). */
    public static AccessLog to(OutputStream out, boolean json, int capacity) {
        AccessLog log = new AccessLog(new Stdout(new PrintStream(out, false, StandardCharsets.UTF_8)), json, capacity);
        log.writer.start();
        return log;
    }

    /** A log whose writer is not started (tests fill its queue). */
    static AccessLog unstarted(OutputStream out, boolean json, int capacity) {
        return new AccessLog(new Stdout(new PrintStream(out, false, StandardCharsets.UTF_8)), json, capacity);
    }

    void startWriter() {
        writer.start();
    }

    /** From any thread, never blocking: queues the entry, or drops and counts it when the queue is full. */
    public void write(AccessEntry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
            return;
        }
        if (idle) {
            LockSupport.unpark(writer);
        }
    }

    /** Entries dropped so far because the queue was full, or because a write failed. */
    public long dropped() {
        return dropped.sum();
    }

    /** Lines written so far (handed to the file or stdout without an error). */
    public long written() {
        return written.get();
    }

    /** Where the lines go: the file's path as given, or "stdout". */
    public String target() {
        return destination.toString();
    }

    /** Asks the writer to open the file again by its name (after logrotate moved it); stdout stays as it is. */
    public void reopen() {
        reopenAsked.set(true);
        LockSupport.unpark(writer);
    }

    /** Writes what is queued (waiting at most 2 s for it) and closes the file. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        StringBuilder line = new StringBuilder(512);
        byte[] batch = new byte[BATCH + 4096];
        int filled = 0;
        long reported = 0;
        long nextReport = System.nanoTime();
        while (true) {
            if (reopenAsked.getAndSet(false)) {
                filled = flush(batch, filled);
                destination.reopen();
            }
            AccessEntry entry = queue.poll();
            if (entry == null) {
                filled = flush(batch, filled);
                long drops = dropped.sum();
                if (drops != reported && System.nanoTime() - nextReport >= 0) {
                    Log.info("access log: " + (drops - reported) + " lines dropped (requests came faster than "
                            + destination + " took them; " + drops + " in all)");
                    reported = drops;
                    nextReport = System.nanoTime() + DROP_REPORT_NANOS;
                }
                if (closed) {
                    if (!queue.isEmpty()) {
                        continue; // written between the poll above and close(): still the log's to write
                    }
                    destination.close();
                    return;
                }
                idle = true;
                if (queue.isEmpty() && !closed && !reopenAsked.get()) {
                    LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                }
                idle = false;
                continue;
            }
            line.setLength(0);
            (json ? entry.json(line) : entry.combined(line)).append('\n');
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            if (filled + bytes.length > batch.length) {
                filled = flush(batch, filled);
                if (bytes.length > batch.length) {
                    batch = new byte[bytes.length];
                }
            }
            System.arraycopy(bytes, 0, batch, filled, bytes.length);
            filled += bytes.length;
            if (filled >= BATCH) {
                filled = flush(batch, filled);
            }
        }
    }

    /** Writes whole lines only; returns the bytes left in the batch (none). */
    private int flush(byte[] batch, int filled) {
        if (filled == 0) {
            return 0;
        }
        int lines = 0;
        for (int i = 0; i < filled; i++) {
            lines += batch[i] == '\n' ? 1 : 0;
        }
        try {
            destination.write(batch, filled);
            written.addAndGet(lines);
        } catch (IOException e) {
            dropped.add(lines);
            FAILED_WRITE.info("access log: cannot write to " + destination + " (" + Log.describe(e) + "); " + lines
                    + " lines lost");
        }
        return 0;
    }

    private static final Log.RateLimited FAILED_WRITE = new Log.RateLimited(10, TimeUnit.SECONDS);

    /** Where the lines go. Used by the writer thread only. */
    private interface Destination {
        void write(byte[] bytes, int length) throws IOException;

        void reopen();

        void close();
    }

    /** A file, appended to (O_APPEND: lines from another writer of the same file do not overwrite them). */
    private static final class LogFile implements Destination {
        private final String path;
        private FileOutputStream out;

        LogFile(String path) throws IOException {
            this.path = path;
            this.out = new FileOutputStream(path, true);
        }

        @Override
        public void write(byte[] bytes, int length) throws IOException {
            out.write(bytes, 0, length);
        }

        @Override
        public void reopen() {
            FileOutputStream reopened;
            try {
                reopened = new FileOutputStream(path, true);
            } catch (IOException e) {
                Log.info("access log: cannot reopen " + path + " (" + Log.describe(e) + "); still writing to the file"
                        + " that was open");
                return;
            }
            try {
                out.close();
            } catch (IOException e) {
                // the old file's descriptor is gone either way
            }
            out = reopened;
            Log.info("access log reopened: " + path);
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                // closing at exit: nothing left to do about it
            }
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** The parent's stdout, shared with the workers' relayed output: a batch of whole lines under its lock. */
    private static final class Stdout implements Destination {
        private final PrintStream out;

        Stdout(PrintStream out) {
            this.out = out;
        }

        @Override
        public void write(byte[] bytes, int length) throws IOException {
            synchronized (out) {
                out.write(bytes, 0, length);
                out.flush();
                if (out.checkError()) {
                    throw new IOException("stdout is closed or failing");
                }
            }
        }

        @Override
        public void reopen() {
            // nothing to reopen: stdout is whatever the parent was started with
        }

        @Override
        public void close() {
            out.flush();
        }

        @Override
        public String toString() {
            return "stdout";
        }
    }
}
