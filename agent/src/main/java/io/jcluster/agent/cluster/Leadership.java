package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.log.Log;

import java.util.HashMap;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which worker leads. The candidates are the workers in rotation whose control connection joined the hub; the oldest
 * of them (first admitted) is granted leadership with a fresh epoch. A leader taken out of rotation (drain, reload,
 * scale-down) is told to give it up, and the next grant waits until it answers that it did ({@code
 * LeadershipReleased} with that epoch: its {@code lost} callbacks ran) or until its connection ended (the process is
 * gone). So there is never more than one grant outstanding, as the parent sees it. With a host lease (Redis), this
 * host's workers are granted only while the lease is held, and a lost lease revokes at once.
 *
 * <p>Every event comes in on some thread of the parent (the supervisor's, a connection's reader, the lease's); one
 * lock orders them. Frames are handed to the workers' queues, which never block.
 */
final class Leadership {

    /** Where a candidate's leadership frames go. */
    interface Recipient {
        void send(ClusterFrame frame);
    }

    private final Object lock = new Object();
    /** By pid: a reload runs two processes of one worker id for a while. */
    private final Map<Long, Candidate> candidates = new HashMap<>();
    private long admissions;
    private long epoch;
    private Candidate holder;
    private boolean revoking;
    private boolean leaseHeld;
    private boolean stopped;
    /** Completed when the current grant ends (acknowledged or its process gone). */
    private CompletableFuture<Void> grantEnded = CompletableFuture.completedFuture(null);

    private static final class Candidate {
        final int workerId;
        final long pid;
        long admittedAs = -1;
        boolean stopping;
        Recipient recipient;

        Candidate(int workerId, long pid) {
            this.workerId = workerId;
            this.pid = pid;
        }

        boolean ready() {
            return admittedAs >= 0 && recipient != null && !stopping;
        }
    }

    /** The worker's control connection joined the hub. */
    void joined(int workerId, long pid, Recipient recipient) {
        synchronized (lock) {
            candidate(workerId, pid).recipient = recipient;
            grantIfFree();
        }
    }

    /** The worker's control connection ended: the process exited or is about to; its grant, if any, ends. */
    void left(long pid) {
        synchronized (lock) {
            Candidate candidate = candidates.get(pid);
            if (candidate == null) {
                return;
            }
            candidate.recipient = null;
            if (candidate == holder) {
                endGrant();
            }
            grantIfFree();
        }
    }

    /** The worker entered rotation. */
    void admitted(int workerId, long pid) {
        synchronized (lock) {
            Candidate candidate = candidate(workerId, pid);
            if (candidate.admittedAs < 0) {
                candidate.admittedAs = admissions++;
            }
            grantIfFree();
        }
    }

    /** The worker left rotation: no candidate any more, and a leader is told to give it up. */
    void withdrawn(long pid) {
        synchronized (lock) {
            Candidate candidate = candidates.get(pid);
            if (candidate == null) {
                return;
            }
            candidate.admittedAs = -1;
            if (candidate == holder) {
                revoke();
            }
        }
    }

    /**
     * The worker is about to be stopped: it is no candidate any more, and a leader is told to give it up. Completes
     * once its grant, if any, ended (the caller bounds the wait).
     */
    CompletableFuture<Void> stopping(long pid) {
        synchronized (lock) {
            Candidate candidate = candidates.get(pid);
            if (candidate == null) {
                return CompletableFuture.completedFuture(null);
            }
            candidate.stopping = true;
            if (candidate != holder) {
                return CompletableFuture.completedFuture(null);
            }
            revoke();
            return grantEnded;
        }
    }

    /**
     * {@link #stopping}, then waits until the worker's grant ended, at most {@code wait}: false when it did not (the
     * worker did not answer in time; its grant ends when its process is gone).
     */
    boolean stoppingAwaitRelease(long pid, Duration wait) throws InterruptedException {
        try {
            stopping(pid).get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a grant never ends exceptionally", e);
        }
    }

    /** The worker exited: forgotten; its grant, if any, ends. */
    void gone(long pid) {
        synchronized (lock) {
            Candidate candidate = candidates.remove(pid);
            if (candidate != null && candidate == holder) {
                endGrant();
            }
            grantIfFree();
        }
    }

    /** The worker ran its {@code lost} callbacks for {@code epoch}. */
    void released(long pid, long epoch) {
        synchronized (lock) {
            if (holder != null && holder.pid == pid && this.epoch == epoch) {
                endGrant();
                grantIfFree();
            }
        }
    }

    /** The host lease was gained ({@code true}) or lost: lost revokes at once, before another host may take it. */
    void lease(boolean held) {
        synchronized (lock) {
            leaseHeld = held;
            if (!held) {
                if (holder != null) {
                    Log.info("lost the store's leader lease: worker " + holder.workerId + " gives leadership up");
                    revoke();
                }
            } else {
                grantIfFree();
            }
        }
    }

    /**
     * At shutdown: the leader is told to give leadership up now, so its {@code lost} callbacks run while connections
     * drain, and no more grants are made (the workers stop one after another; passing it along would only delay that).
     */
    void stop() {
        synchronized (lock) {
            stopped = true;
            revoke();
        }
    }

    /** The worker id holding the current grant (also while it is being revoked), or -1. */
    int leader() {
        synchronized (lock) {
            return holder == null ? -1 : holder.workerId;
        }
    }

    /** The epoch of the latest grant; 0 before the first. */
    long epoch() {
        synchronized (lock) {
            return epoch;
        }
    }

    private Candidate candidate(int workerId, long pid) {
        return candidates.computeIfAbsent(pid, key -> new Candidate(workerId, pid));
    }

    private void grantIfFree() {
        if (holder != null || !leaseHeld || stopped) {
            return;
        }
        Candidate oldest = null;
        for (Candidate candidate : candidates.values()) {
            if (candidate.ready() && (oldest == null || candidate.admittedAs < oldest.admittedAs)) {
                oldest = candidate;
            }
        }
        if (oldest == null) {
            return;
        }
        holder = oldest;
        revoking = false;
        grantEnded = new CompletableFuture<>();
        epoch++;
        oldest.recipient.send(new ClusterFrame.Leadership(epoch, true));
    }

    private void revoke() {
        if (holder == null || revoking) {
            return;
        }
        revoking = true;
        if (holder.recipient != null) {
            holder.recipient.send(new ClusterFrame.Leadership(epoch, false));
        }
    }

    private void endGrant() {
        holder = null;
        revoking = false;
        grantEnded.complete(null);
    }
}
