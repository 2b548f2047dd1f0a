package io.jcluster.agent.supervisor;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A worker process that exists only in a test: it exits when the test says, or on a signal it heeds. */
final class FakeProcess extends Process {

    private final long pid;
    private final CompletableFuture<Process> exit = new CompletableFuture<>();
    /** Whether SIGTERM makes it exit (a stuck one ignores it and needs SIGKILL). */
    volatile boolean exitsOnSigterm = true;
    volatile int sigterms;
    volatile int sigkills;
    private volatile int status = -1;

    FakeProcess(long pid) {
        this.pid = pid;
    }

    /** The process ends with {@code code}. */
    void exit(int code) {
        if (!exit.isDone()) {
            status = code;
            exit.complete(this);
        }
    }

    boolean signalled() {
        return sigterms > 0 || sigkills > 0;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public void destroy() {
        sigterms++;
        if (exitsOnSigterm) {
            exit(143);
        }
    }

    @Override
    public Process destroyForcibly() {
        sigkills++;
        exit(137);
        return this;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public int exitValue() {
        if (isAlive()) {
            throw new IllegalThreadStateException("alive");
        }
        return status;
    }

    @Override
    public int waitFor() {
        return exit.join().exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) {
        return !isAlive();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public InputStream getErrorStream() {
        return new ByteArrayInputStream(new byte[0]);
    }

    /** Its handle: signals sent through it (as ProcessStopper sends them) reach this fake process. */
    @Override
    public ProcessHandle toHandle() {
        return new Handle();
    }

    @Override
    public String toString() {
        return "fake pid " + pid;
    }

    private final class Handle implements ProcessHandle {
        @Override
        public long pid() {
            return pid;
        }

        @Override
        public java.util.Optional<ProcessHandle> parent() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.stream.Stream<ProcessHandle> children() {
            return java.util.stream.Stream.empty();
        }

        @Override
        public java.util.stream.Stream<ProcessHandle> descendants() {
            return java.util.stream.Stream.empty();
        }

        @Override
        public Info info() {
            throw new UnsupportedOperationException("a fake process");
        }

        @Override
        public CompletableFuture<ProcessHandle> onExit() {
            return exit.thenApply(process -> this);
        }

        @Override
        public boolean supportsNormalTermination() {
            return true;
        }

        @Override
        public boolean destroy() {
            FakeProcess.this.destroy();
            return true;
        }

        @Override
        public boolean destroyForcibly() {
            FakeProcess.this.destroyForcibly();
            return true;
        }

        @Override
        public boolean isAlive() {
            return FakeProcess.this.isAlive();
        }

        @Override
        public int compareTo(ProcessHandle other) {
            return Long.compare(pid, other.pid());
        }
    }
}
