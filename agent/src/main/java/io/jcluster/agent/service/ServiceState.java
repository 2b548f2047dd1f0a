package io.jcluster.agent.service;

import io.jcluster.agent.supervisor.ForwardingRouting;
import io.jcluster.agent.supervisor.Outcome;
import io.jcluster.agent.supervisor.ReloadListener;
import io.jcluster.agent.supervisor.WorkerProcess;
import io.jcluster.agent.supervisor.WorkerRouting;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Whether the cluster serves, as the parent's managers need to know it: the supervisor's routing callbacks, passed on
 * unchanged, counted here. A worker serves once the routing has both registered an address it bound ({@link #bound})
 * and admitted it ({@link #admit}), in whichever order the two come: only then is a listener open with it in
 * rotation (a worker that connects before binding anything may be admitted with nothing to serve yet). It stops
 * serving at {@link #withdraw} or {@link #gone}.
 *
 * <ul>
 *   <li>{@link #readiness}: ready while at least one worker is in rotation and the parent is not stopping (the admin
 *       endpoint's {@code GET /ready}: a load balancer or Kubernetes sends traffic only then);</li>
 *   <li>systemd (when it asked, {@code NOTIFY_SOCKET}): {@code READY=1} once the first worker is in rotation, which is
 *       when the cluster's listeners open; {@code RELOADING=1}, then {@code READY=1}, around each rolling reload;
 *       {@code STOPPING=1} when the stop begins; a {@code STATUS=} line at each change (workers in rotation, the
 *       last event).</li>
 * </ul>
 */
public final class ServiceState extends ForwardingRouting implements ReloadListener {

    /** Whether the cluster takes traffic now, and in words. */
    public record Readiness(boolean ready, String message) {
    }

    /** Null when systemd asked for no notifications. */
    private final SystemdNotifier systemd;
    /** The pids of the workers admitted to rotation now. */
    private final Set<Long> inRotation = ConcurrentHashMap.newKeySet();
    /** The pids of the workers the routing has registered an address of. */
    private final Set<Long> bound = ConcurrentHashMap.newKeySet();
    /** The pids of the workers that are both: they serve. */
    private final Set<Long> serving = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean startupReported = new AtomicBoolean();
    /** Reloads asked for and not ended yet. */
    private final AtomicInteger reloads = new AtomicInteger();
    private volatile IntSupplier workerCount = () -> 0;
    private volatile boolean stopping;
    private volatile String lastEvent = "starting";

    ServiceState(WorkerRouting routing, SystemdNotifier systemd) {
        super(routing);
        this.systemd = systemd;
    }

    /**
     * The routing the supervisor is given, reporting to systemd when {@code environment} (the parent's) has
     * {@code NOTIFY_SOCKET}.
     */
    public static ServiceState of(WorkerRouting routing, Map<String, String> environment) {
        return new ServiceState(routing, SystemdNotifier.fromEnvironment(environment, ProcessHandle.current().pid()));
    }

    /** How many workers the cluster is meant to run (the supervisor's slots), for the status line. */
    public void countWorkers(IntSupplier count) {
        workerCount = count;
    }

    public Readiness readiness() {
        if (stopping) {
            return new Readiness(false, "not ready: the cluster is stopping");
        }
        int count = serving.size();
        if (count == 0) {
            return new Readiness(false, "not ready: no worker in rotation (" + lastEvent + ")");
        }
        return new Readiness(true, "ready: " + count + " of " + workerCount.getAsInt() + " worker(s) in rotation");
    }

    /**
     * A rolling reload was asked for (systemd: RELOADING=1). One asked for while another runs ends at once as busy;
     * systemd hears of the first only, and READY=1 when the last has ended.
     */
    @Override
    public void reloading() {
        if (reloads.getAndIncrement() == 0) {
            lastEvent = "reloading";
            if (systemd != null) {
                String status = statusLine();
                synchronized (this) {
                    systemd.reloading(status);
                }
            }
        }
    }

    /** A reload ended, however (systemd: READY=1 again once none runs, the outcome in STATUS). */
    @Override
    public void reloaded(Outcome outcome) {
        lastEvent = outcome == null ? "reload failed" : outcome.message();
        if (reloads.decrementAndGet() == 0 && systemd != null && !stopping) {
            String status = statusLine();
            synchronized (this) {
                systemd.ready(status);
            }
        }
    }

    /** The stop begins: not ready from now on (systemd: STOPPING=1). */
    public synchronized void stopRequested(String why) {
        stopping = true;
        lastEvent = "stopping: " + why;
        if (systemd != null) {
            systemd.stopping(lastEvent);
        }
    }

    /** Sends what is queued for systemd and closes its socket. */
    public void close() {
        if (systemd != null) {
            systemd.close();
        }
    }

    private String statusLine() {
        return serving.size() + " of " + workerCount.getAsInt() + " worker(s) in rotation; last: " + lastEvent;
    }

    /**
     * Two workers entering rotation at once call this from two threads: the one that decides on READY=1 must also be
     * the first to hand its line to the notifier (else systemd hears a STATUS= first), hence the lock around both.
     * The status line is made before it: the worker count takes the supervisor's lock, which the callers of admit
     * and withdraw hold already (the order is always the supervisor's lock, then this one).
     */
    private void changed(String event) {
        lastEvent = event;
        if (systemd == null || stopping) {
            return;
        }
        String status = statusLine();
        synchronized (this) {
            if (!serving.isEmpty() && startupReported.compareAndSet(false, true)) {
                systemd.ready(status);
            } else {
                systemd.status(status);
            }
        }
    }

    // ---- the supervisor's routing callbacks

    @Override
    public void bound(WorkerProcess worker, InetSocketAddress requested, int actualPort) {
        routing.bound(worker, requested, actualPort);
        bound.add(worker.pid());
        if (inRotation.contains(worker.pid()) && serving.add(worker.pid())) {
            changed(worker + " in rotation");
        }
    }

    @Override
    public void admit(WorkerProcess worker) {
        routing.admit(worker);
        inRotation.add(worker.pid());
        if (bound.contains(worker.pid()) && serving.add(worker.pid())) {
            changed(worker + " in rotation");
        }
    }

    @Override
    public void withdraw(WorkerProcess worker) {
        routing.withdraw(worker);
        inRotation.remove(worker.pid());
        if (serving.remove(worker.pid())) {
            changed(worker + " out of rotation");
        }
    }

    @Override
    public void gone(WorkerProcess worker) {
        routing.gone(worker);
        inRotation.remove(worker.pid());
        bound.remove(worker.pid());
        serving.remove(worker.pid());
        changed(worker + " exited");
    }
}
