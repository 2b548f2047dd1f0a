package io.jcluster.agent.standalone;

import io.jcluster.agent.admin.BalancerOperations;
import io.jcluster.agent.admin.BalancerOperations.Outcome;
import io.jcluster.agent.admin.BalancerOperations.Outcome.Kind;
import io.jcluster.agent.admin.BalancerStatus;
import io.jcluster.agent.admin.ClusterStatus;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendProbe;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.jcluster.agent.balancer.ListenerStats;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.log.Log;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The standalone balancer's backends and what the admin endpoint does to them at run time: drain one (no new
 * connections, the open ones finish), put it back, add one, remove one (drain, then forget). Every change of the
 * set happens under this object's lock; rotation itself is the balancer's ({@link Balancer#withdraw},
 * {@link Balancer#restore}), so a probe finding a drained backend back never puts it in rotation.
 */
final class BackendRegistry implements BalancerOperations {

    /** How often a drain looks at the backend's open connections (and lets idle keep-alive ones move on). */
    static final long DRAIN_POLL_MILLIS = 100;

    private enum State { SERVING, DRAINING, REMOVING }

    private static final class Entry {
        final Backend backend;
        State state = State.SERVING;

        Entry(Backend backend) {
            this.backend = backend;
        }
    }

    private final Balancer balancer;
    private final BackendProbe probe;
    private final Duration drainTimeout;
    private final String strategy;
    private final String mode;
    /** Null without --cache. */
    private final ResponseCache cache;
    /** Null without --access-log. */
    private final AccessLog accessLog;
    private final long startedNanos = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jcluster-backends");
        thread.setDaemon(true);
        return thread;
    });
    /** By address, in the order named. */
    private final Map<InetSocketAddress, Entry> entries = new LinkedHashMap<>();
    private int nextOwner;
    private volatile boolean stopping;

    /**
     * @param backends     the backends of the command line, already known to {@code balancer} (in rotation or
     *                     handed to {@code probe} as down)
     * @param drainTimeout how long a drain or removal waits for open connections (shutdown-timeout)
     */
    BackendRegistry(Balancer balancer, BackendProbe probe, List<Backend> backends, Duration drainTimeout,
                    String strategy, String mode) {
        this(balancer, probe, backends, drainTimeout, strategy, mode, null, null);
    }

    /**
     * @param cache     the balancer's response cache ({@code --cache}; /status, /metrics, POST /cache/purge), or null
     * @param accessLog its access log ({@code --access-log}; /status, /metrics), or null
     */
    BackendRegistry(Balancer balancer, BackendProbe probe, List<Backend> backends, Duration drainTimeout,
                    String strategy, String mode, ResponseCache cache, AccessLog accessLog) {
        this.cache = cache;
        this.accessLog = accessLog;
        this.balancer = balancer;
        this.probe = probe;
        this.drainTimeout = drainTimeout;
        this.strategy = strategy;
        this.mode = mode;
        for (Backend backend : backends) {
            entries.put(backend.address(), new Entry(backend));
            nextOwner = Math.max(nextOwner, backend.owner() + 1);
        }
    }

    /** A stop was asked: GET /ready answers 503 from now on. */
    void stopping() {
        stopping = true;
    }

    void close() {
        timer.shutdownNow();
    }

    @Override
    public synchronized BalancerStatus status() {
        List<ClusterStatus.ListenerView> listeners = new ArrayList<>();
        for (ListenerStats stats : balancer.listenerStats()) {
            listeners.add(new ClusterStatus.ListenerView(Balancer.describe(stats.address()), stats.connectionsTotal(),
                    stats.openConnections(), stats.refusedTotal(), stats.bytesFromClients(), stats.bytesToClients(),
                    stats.queueLength()));
        }
        listeners.sort(Comparator.comparing(ClusterStatus.ListenerView::address));
        double[] bounds = LatencyHistogram.boundsSeconds();
        List<BalancerStatus.BackendView> backends = new ArrayList<>();
        for (Entry entry : entries.values()) {
            Backend backend = entry.backend;
            LatencyHistogram requests = backend.requests();
            backends.add(new BalancerStatus.BackendView(Balancer.describe(backend.address()), state(entry),
                    backend.openConnections(), backend.connectionsTotal(), requests.count(),
                    backend.bytesFromClients(), backend.bytesToClients(), bounds, requests.cumulativeCounts(),
                    requests.sumNanos()));
        }
        return new BalancerStatus((System.nanoTime() - startedNanos) / 1_000_000, strategy, mode,
                balancer.transportName(), stopping, listeners, backends, ClusterStatus.CacheView.of(cache),
                ClusterStatus.AccessLogView.of(accessLog));
    }

    @Override
    public int purgeCache(String path, boolean prefix) {
        return cache == null ? -1 : cache.purge(path, prefix);
    }

    private String state(Entry entry) {
        return switch (entry.state) {
            case REMOVING -> BalancerStatus.REMOVING;
            case DRAINING -> BalancerStatus.DRAINING;
            case SERVING -> probe.isDown(entry.backend) ? BalancerStatus.DOWN : BalancerStatus.READY;
        };
    }

    @Override
    public CompletableFuture<Outcome> drain(String backend) {
        Backend draining;
        synchronized (this) {
            Entry entry = find(backend);
            if (entry == null) {
                return unknown(backend);
            }
            if (entry.state == State.REMOVING) {
                return done(Kind.CONFLICT, describe(entry) + " is being removed (drained already)");
            }
            if (entry.state == State.SERVING) {
                entry.state = State.DRAINING;
                balancer.withdraw(entry.backend);
                Log.info("backend " + describe(entry) + " drained on request: no new connections, "
                        + entry.backend.openConnections() + " open finishing");
            }
            draining = entry.backend;
        }
        return untilIdle(draining).thenApply(open -> open == 0
                ? Outcome.of(Kind.DONE, "drained " + describe(draining) + ": no connection open; it gets no new ones"
                        + " until 'backend ready " + describe(draining) + "'")
                : Outcome.of(Kind.UNFINISHED, "draining " + describe(draining) + ": " + open + " connection(s) still"
                        + " open after shutdown-timeout " + drainTimeout.toMillis() + "ms; it gets no new ones"));
    }

    @Override
    public synchronized CompletableFuture<Outcome> ready(String backend) {
        Entry entry = find(backend);
        if (entry == null) {
            return unknown(backend);
        }
        if (entry.state == State.REMOVING) {
            return done(Kind.CONFLICT, describe(entry) + " is being removed; add it again once it is gone");
        }
        if (entry.state == State.SERVING) {
            return done(Kind.DONE, describe(entry) + " is not drained (" + state(entry) + "); nothing to do");
        }
        entry.state = State.SERVING;
        balancer.restore(entry.backend);
        Log.info("backend " + describe(entry) + " put back on request");
        return done(Kind.DONE, probe.isDown(entry.backend)
                ? describe(entry) + " put back; it refuses connections now, so it enters rotation once a probe"
                  + " connects"
                : describe(entry) + " is in rotation again");
    }

    @Override
    public CompletableFuture<Outcome> add(String backend) {
        InetSocketAddress address;
        try {
            address = BalanceArguments.address("--backend", backend, false);
        } catch (BalanceArguments.BadArguments e) {
            return done(Kind.BAD_REQUEST, e.getMessage());
        }
        Backend added;
        synchronized (this) {
            Entry existing = entries.get(address);
            if (existing != null) {
                return done(Kind.CONFLICT, describe(existing) + " is a backend already (" + state(existing) + ")"
                        + (existing.state == State.DRAINING ? "; put it back with 'backend ready'" : ""));
            }
            added = new Backend(nextOwner++, address);
            entries.put(address, new Entry(added));
        }
        // a connect first, as at start: a backend that refuses waits for the probe instead of failing clients
        return probe.check(added).thenApply(why -> {
            synchronized (this) {
                Entry entry = entries.get(address);
                if (entry == null || entry.backend != added) {
                    return Outcome.of(Kind.CONFLICT, describe(added) + " was removed meanwhile");
                }
                if (why != null) {
                    probe.down(added, why);
                    Log.info("backend " + describe(added) + " added on request; down (" + why + "), probing");
                    return Outcome.of(Kind.DONE, "added " + describe(added) + "; it does not accept connections ("
                            + why + "), so it enters rotation once a probe connects");
                }
                if (entry.state == State.SERVING) {
                    balancer.restore(added);
                }
                Log.info("backend " + describe(added) + " added on request; in rotation");
                return Outcome.of(Kind.DONE, "added " + describe(added) + "; in rotation");
            }
        });
    }

    @Override
    public CompletableFuture<Outcome> remove(String backend) {
        Entry removing;
        synchronized (this) {
            removing = find(backend);
            if (removing == null) {
                return unknown(backend);
            }
            if (removing.state != State.REMOVING) {
                removing.state = State.REMOVING;
                balancer.withdraw(removing.backend);
                Log.info("backend " + describe(removing) + " being removed on request: no new connections, "
                        + removing.backend.openConnections() + " open finishing");
            }
        }
        Entry entry = removing;
        return untilIdle(entry.backend).thenApply(open -> {
            synchronized (this) {
                if (entries.get(entry.backend.address()) == entry) {
                    entries.remove(entry.backend.address());
                    probe.forget(entry.backend);
                    Log.info("backend " + describe(entry) + " removed" + (open == 0 ? ""
                            : " with " + open + " connection(s) still open (they finish on their own)"));
                }
            }
            return open == 0 ? Outcome.of(Kind.DONE, "removed " + describe(entry) + " (no connection was open)")
                    : Outcome.of(Kind.UNFINISHED, "removed " + describe(entry) + "; " + open + " connection(s) were"
                            + " still open after shutdown-timeout " + drainTimeout.toMillis() + "ms (they finish"
                            + " on their own)");
        });
    }

    /** Completes with the connections still open: 0 once none is, or however many at drainTimeout. */
    private CompletableFuture<Long> untilIdle(Backend backend) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        poll(backend, deadline, result);
        return result;
    }

    private void poll(Backend backend, long deadline, CompletableFuture<Long> result) {
        long open = backend.openConnections();
        if (open == 0 || System.nanoTime() - deadline >= 0) {
            result.complete(open);
            return;
        }
        // tcp mode: a keep-alive HTTP/1 connection idle between requests moves to a backend in rotation
        balancer.releaseIdle(Set.of(backend));
        try {
            timer.schedule(() -> poll(backend, deadline, result), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            result.complete(open);
        }
    }

    /** The entry {@code backend} names (HOST:PORT, resolved as --backend is), or null. */
    private Entry find(String backend) {
        try {
            return entries.get(BalanceArguments.address("--backend", backend, false));
        } catch (BalanceArguments.BadArguments e) {
            return null;
        }
    }

    private CompletableFuture<Outcome> unknown(String backend) {
        List<String> known = entries.values().stream().map(BackendRegistry::describe).toList();
        return done(Kind.UNKNOWN, "no backend " + backend + " (backends: " + (known.isEmpty() ? "none"
                : String.join(", ", known)) + ")");
    }

    private static CompletableFuture<Outcome> done(Kind kind, String message) {
        return CompletableFuture.completedFuture(Outcome.of(kind, message));
    }

    private static String describe(Entry entry) {
        return describe(entry.backend);
    }

    private static String describe(Backend backend) {
        return Balancer.describe(backend.address());
    }
}
