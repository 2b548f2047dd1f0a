package apps.cluster;

import io.jcluster.Cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A job that runs every 200 ms on the leader only: scheduled when this worker gains leadership, cancelled when it
 * loses it. Losing waits for a run in progress to end, so the next leader (granted only after that) never overlaps
 * it. Each run appends {@code <epochMillis> <workerId> <pid> start} and {@code ... end} to the job log, if any.
 */
final class LeaderJob implements AutoCloseable {

    static final long PERIOD_MILLIS = 200;
    static final long WORK_MILLIS = 50;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "leader-job");
        thread.setDaemon(true);
        return thread;
    });
    private final FileChannel log;
    private final AtomicLong runs = new AtomicLong();
    private ScheduledFuture<?> schedule; // guarded by this
    private final AutoCloseable leadership;

    /** {@code logFile} null: runs are only counted. */
    LeaderJob(Path logFile) throws IOException {
        log = logFile == null ? null : FileChannel.open(logFile,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        leadership = Cluster.onLeadership(this::gained, this::lost);
    }

    long runs() {
        return runs.get();
    }

    /** On the cluster's leadership thread: this worker is the leader now. */
    synchronized void gained() {
        if (schedule == null) {
            schedule = scheduler.scheduleAtFixedRate(this::runOnce, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** On the cluster's leadership thread: cancels the schedule; returns only when a run in progress has ended. */
    void lost() {
        ScheduledFuture<?> cancelled;
        synchronized (this) {
            cancelled = schedule;
            schedule = null;
        }
        if (cancelled == null) {
            return;
        }
        cancelled.cancel(false);
        try { // the scheduler has one thread: this no-op runs after the current run, if any
            scheduler.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            System.err.println("leader job: could not wait for the last run: " + e);
        }
    }

    private void runOnce() {
        if (!Cluster.isLeader()) {
            return;
        }
        record("start");
        try {
            Thread.sleep(WORK_MILLIS); // the job's work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        record("end");
        runs.incrementAndGet();
    }

    /** One write(2) on an O_APPEND file per line: lines of several processes never mix. */
    private void record(String what) {
        if (log == null) {
            return;
        }
        String line = System.currentTimeMillis() + " " + Cluster.workerId() + " " + ProcessHandle.current().pid()
                + " " + what + "\n";
        try {
            log.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        leadership.close();
        lost();
        scheduler.shutdownNow();
        if (log != null) {
            log.close();
        }
    }
}
