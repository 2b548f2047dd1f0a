package io.jcluster.agent.supervisor;

import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.supervisor.probe.ProcSockets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker JVM, from fork to exit. A worker id (a {@link WorkerSlot}) is served by one process after another:
 * during a reload, the old process of an id drains while its replacement already serves, so the balancer's
 * backends belong to a process ({@link #serial()}), never to an id alone.
 */
public final class WorkerProcess {

    /** The lifecycle: in rotation only while READY. */
    public enum State {
        /** Forked; not in rotation until it serves every clustered address and passed a probe. */
        STARTING,
        /** In rotation. */
        READY,
        /** Out of rotation; its open connections are finishing. */
        DRAINING,
        /** Exited. */
        STOPPED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final AtomicLong SERIALS = new AtomicLong();

    private final int id;
    private final long serial = SERIALS.incrementAndGet();
    final Process process;
    final long startedNanos;
    private volatile State state = State.STARTING;
    /** Requested address -> the private port the app got instead, in the order the app bound them. */
    @GuardedBy("this")
    private final Map<InetSocketAddress, Integer> bound = new LinkedHashMap<>();
    /** Completes when the worker enters rotation; fails if it exits first. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    volatile ControlMessage.Stats stats;
    /** Connections it accepted from the parent whose client it did not find (its app saw 127.0.0.1). */
    volatile long clientAddressFallbacks;
    volatile ControlConnection control;
    /** Whether its control channel was accepted: a second connection claiming this process is refused. */
    @GuardedBy("Slots.lock")
    boolean connected;
    /** Whether a readiness probe loop runs for it. */
    @GuardedBy("Slots.lock")
    boolean probing;
    /** Failed probes in a row while ready. */
    @GuardedBy("Slots.lock")
    int failedProbes;
    /** Resource reports in a row above max-memory. */
    @GuardedBy("Slots.lock")
    int reportsAboveMemoryLimit;
    /** Whether a replacement was queued for it (max-memory): asked for once. */
    @GuardedBy("Slots.lock")
    boolean replacementRequested;
    /** Why the last readiness probe failed, for the message when it never gets ready. */
    volatile String lastProbeFailure;
    @GuardedBy("this")
    private List<String> dump;
    @GuardedBy("this")
    private CompletableFuture<List<String>> dumpDone;

    /** @param startedNanos the supervisor's clock when it was started */
    WorkerProcess(int id, Process process, long startedNanos) {
        this.id = id;
        this.process = process;
        this.startedNanos = startedNanos;
    }

    public int id() {
        return id;
    }

    /** Unique per process for the life of the parent: the key of what it serves. */
    public long serial() {
        return serial;
    }

    public long pid() {
        return process.pid();
    }

    public State state() {
        return state;
    }

    void state(State next) {
        state = next;
    }

    public long uptimeMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** The last resource report, or null before the first (about a second after start). */
    public ControlMessage.Stats stats() {
        return stats;
    }

    /** Connections it accepted from the parent whose client it did not find, so far; its app saw 127.0.0.1. */
    public long clientAddressFallbacks() {
        return clientAddressFallbacks;
    }

    synchronized void bound(InetSocketAddress requested, int actualPort) {
        bound.put(requested, actualPort);
    }

    synchronized Map<InetSocketAddress, Integer> boundAddresses() {
        return new LinkedHashMap<>(bound);
    }

    /**
     * balancer=kernel: asks the worker to close its shared listening sockets, so that the kernel gives it no new
     * connection. Does nothing once its control channel is closed (it exits then anyway).
     */
    public void unlisten() {
        ControlConnection connection = control;
        if (connection != null) {
            try {
                connection.send(new ControlMessage.Unlisten());
            } catch (IOException e) {
                // its channel just closed: it is exiting
            }
        }
    }

    /**
     * balancer=kernel: the connections this process accepted on its shared ports and has not closed yet, counted
     * from /proc (the parent sees none of them).
     */
    public long sharedPortConnections() {
        Set<Integer> ports = new HashSet<>();
        boundAddresses().keySet().forEach(address -> ports.add(address.getPort()));
        return ports.isEmpty() ? 0 : ProcSockets.connections(pid(), ports);
    }

    /** Asks the worker for a thread dump over the control channel; completes with its lines. */
    synchronized CompletableFuture<List<String>> requestThreadDump() {
        ControlConnection connection = control;
        if (connection == null) {
            return CompletableFuture.failedFuture(new IOException("its control channel is closed"));
        }
        if (dumpDone == null || dumpDone.isDone()) {
            dump = new ArrayList<>();
            dumpDone = new CompletableFuture<>();
            try {
                connection.send(new ControlMessage.DumpRequest());
            } catch (IOException e) {
                dumpDone.completeExceptionally(e);
            }
        }
        return dumpDone;
    }

    synchronized void dumpLine(String text) {
        if (dump != null) {
            dump.add(text);
        }
    }

    synchronized void dumpEnd() {
        if (dumpDone != null) {
            dumpDone.complete(List.copyOf(dump));
        }
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + process.pid() + ")";
    }
}
