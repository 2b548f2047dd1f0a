package io.jcluster.agent.worker.cluster;

import io.jcluster.agent.control.ClusterFrame;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * This worker's leadership as the parent grants and revokes it, and the app's callbacks for it. Every callback runs
 * on one daemon thread, "jcluster-leadership", in the order the parent's frames came, and each registration hears
 * gained and lost in turn, never twice the same. A revoke takes effect for {@link #isLeader()} at once; its lost
 * callbacks then run, and the parent is told {@link ClusterFrame.LeadershipReleased} only after they returned (so
 * that the next leader starts after this one stopped), or after {@code ackAfterMillis} if one hangs: a hung callback
 * must not leave the cluster without a leader.
 */
final class LeadershipCallbacks {

    private static final long NONE = Long.MIN_VALUE;

    private final ToParent toParent;
    private final Consumer<String> log;
    private final long ackAfterMillis;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final Object state = new Object();
    /** Guarded by {@code state}. */
    private long revokedUpTo = NONE;
    private volatile boolean leader;
    private volatile ExecutorService thread;
    /** Confined to the leadership thread: whether the callbacks were told gained. */
    private boolean toldGained;

    LeadershipCallbacks(ToParent toParent, Consumer<String> log, long ackAfterMillis) {
        this.toParent = toParent;
        this.log = log;
        this.ackAfterMillis = ackAfterMillis;
    }

    boolean isLeader() {
        return leader;
    }

    AutoCloseable register(Runnable gained, Runnable lost) {
        Registration registration = new Registration(Objects.requireNonNull(gained, "gained"),
                Objects.requireNonNull(lost, "lost"));
        registrations.add(registration);
        // on the leadership thread, so that it cannot cross a grant or revoke being handled there
        run(() -> {
            if (toldGained) {
                registration.gained();
            }
        });
        return registration;
    }

    /** A grant or revoke from the parent, on the thread that reads the control connection: never blocks. */
    void received(ClusterFrame.Leadership frame) {
        long epoch = frame.epoch();
        if (frame.granted()) {
            run(() -> grant(epoch));
            return;
        }
        synchronized (state) {
            revokedUpTo = Math.max(revokedUpTo, epoch);
            leader = false;
        }
        Future<?> lost = run(this::lose);
        Thread release = new Thread(() -> releaseAfter(lost, epoch), "jcluster-leadership-release");
        release.setDaemon(true);
        release.start();
    }

    /** The parent is gone, and may grant leadership to another worker now: stop being the leader, without an ack. */
    void parentGone() {
        synchronized (state) {
            revokedUpTo = Long.MAX_VALUE;
            leader = false;
        }
        if (thread != null) {
            run(this::lose);
        }
    }

    private void grant(long epoch) {
        synchronized (state) {
            if (epoch <= revokedUpTo) {
                return; // revoked before this thread came to it: never was the leader, as far as the app knows
            }
            leader = true;
        }
        toldGained = true;
        for (Registration registration : registrations) {
            registration.gained();
        }
    }

    private void lose() {
        if (!toldGained) {
            return;
        }
        toldGained = false;
        for (Registration registration : registrations) {
            registration.lost();
        }
    }

    private void releaseAfter(Future<?> lost, long epoch) {
        try {
            lost.get(ackAfterMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.accept("a leadership 'lost' callback still runs after " + ackAfterMillis + " ms; leadership released"
                    + " anyway, so that another worker can lead (later leadership callbacks wait for it)");
        } catch (InterruptedException | ExecutionException e) {
            // released all the same
        }
        try {
            toParent.send(new ClusterFrame.LeadershipReleased(epoch));
        } catch (IOException e) {
            // the parent is gone: it hands leadership on without an ack
        }
    }

    private Future<?> run(Runnable task) {
        ExecutorService executor = thread;
        if (executor == null) {
            synchronized (this) {
                executor = thread;
                if (executor == null) {
                    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                            runnable -> {
                                Thread leadership = new Thread(runnable, "jcluster-leadership");
                                leadership.setDaemon(true);
                                return leadership;
                            });
                    thread = executor;
                }
            }
        }
        return executor.submit(task);
    }

    /** One onLeadership registration: told gained and lost alternately, starting with gained. */
    private final class Registration implements AutoCloseable {
        private final Runnable gained;
        private final Runnable lost;
        private volatile boolean closed;
        /** Confined to the leadership thread. */
        private boolean told;

        Registration(Runnable gained, Runnable lost) {
            this.gained = gained;
            this.lost = lost;
        }

        void gained() {
            if (!closed && !told) {
                told = true;
                call(gained, "gained");
            }
        }

        void lost() {
            if (told) {
                told = false;
                if (!closed) {
                    call(lost, "lost");
                }
            }
        }

        private void call(Runnable callback, String which) {
            try {
                callback.run();
            } catch (Throwable e) {
                log.accept("a leadership '" + which + "' callback threw " + e + "; the others still run");
            }
        }

        @Override
        public void close() {
            closed = true;
            registrations.remove(this);
        }
    }
}
