package io.jcluster.agent.balancer;

import io.jcluster.agent.log.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Brings backends that are down back into rotation, for backends named up front (the standalone balancer) rather
 * than reported by workers: a backend that refused a connection leaves the rotation of every listener, and a TCP
 * connect to it is tried every period on the balancer's own event loops until one succeeds; then it enters every
 * listener's rotation again. Off the data path: only a refused connect reaches it.
 */
public final class BackendProbe {

    private final Balancer balancer;
    private final Bootstrap connector;
    private final long periodMillis;
    private final Set<Backend> down = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    BackendProbe(Balancer balancer, EventLoopGroup group, Transport transport, Duration period) {
        this.balancer = balancer;
        this.periodMillis = Math.max(1, period.toMillis());
        this.connector = new Bootstrap()
                .group(group)
                .channelFactory(transport.clientChannels)
                .handler(Listener.UNTIL_CONNECTED)
                // a probe that cannot finish within its period has failed; the next one follows
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(periodMillis, 5_000));
    }

    /**
     * Tries a connect to each backend now, all at once, and waits for the answers (at most the connect timeout).
     *
     * @return the backends that did not accept, each with why (e.g. "connection refused"); in the given order
     */
    public Map<Backend, String> unreachable(Collection<Backend> backends) throws InterruptedException {
        Map<Backend, CompletableFuture<String>> attempts = new LinkedHashMap<>();
        for (Backend backend : backends) {
            attempts.put(backend, attempt(backend));
        }
        Map<Backend, String> failed = new LinkedHashMap<>();
        for (Map.Entry<Backend, CompletableFuture<String>> attempt : attempts.entrySet()) {
            String why;
            try {
                why = attempt.getValue().get(periodMillis + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                why = "no answer to a connect";
            }
            if (why != null) {
                failed.put(attempt.getKey(), why);
            }
        }
        return failed;
    }

    /**
     * {@code backend} does not accept connections ({@code why}, e.g. "connection refused"): out of every listener's
     * rotation until a probe connects. Logged once per outage.
     */
    public void down(Backend backend, String why) {
        if (stopped || !down.add(backend)) {
            return;
        }
        balancer.removeEverywhere(backend);
        Log.info("backend " + Listener.describe(backend.address()) + " is down (" + why + "); probing");
        scheduleProbe(backend);
    }

    /** Backends out of rotation right now, waiting for a probe to succeed. */
    public Set<Backend> downNow() {
        return Set.copyOf(down);
    }

    /** Whether {@code backend} is out of rotation, waiting for a probe to succeed. */
    public boolean isDown(Backend backend) {
        return down.contains(backend);
    }

    /** {@code backend} is no longer a backend (removed at run time): its probes stop. */
    public void forget(Backend backend) {
        down.remove(backend);
    }

    /** One connect to {@code backend} now: completes with null when it connected, else why not. */
    public CompletableFuture<String> check(Backend backend) {
        return attempt(backend);
    }

    void stop() {
        stopped = true;
    }

    private void scheduleProbe(Backend backend) {
        connector.config().group().schedule(() -> probe(backend), periodMillis, TimeUnit.MILLISECONDS);
    }

    private void probe(Backend backend) {
        if (stopped || !down.contains(backend)) {
            return; // stopped, or forgotten (removed at run time)
        }
        attempt(backend).thenAccept(why -> {
            if (stopped || !down.contains(backend)) {
                return;
            }
            if (why != null) {
                scheduleProbe(backend);
                return;
            }
            // out of the down set first: a restore() from now on admits it itself (see Balancer.rotation)
            if (!down.remove(backend)) {
                return;
            }
            balancer.admitEverywhere(backend);
            Log.info("backend " + Listener.describe(backend.address()) + " is back; " + (backend.draining()
                    ? "it stays out of rotation (drained) until put back with 'backend ready'" : "in rotation again"));
        });
    }

    /** One connect, closed at once when it succeeds; completes with null (it connected) or why not. */
    private CompletableFuture<String> attempt(Backend backend) {
        CompletableFuture<String> result = new CompletableFuture<>();
        connector.connect(backend.address()).addListener((ChannelFutureListener) connect -> {
            if (connect.isSuccess()) {
                connect.channel().close();
                result.complete(null);
            } else {
                result.complete(why(connect.cause()));
            }
        });
        return result;
    }

    private static String why(Throwable cause) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        String message = Log.describe(cause);
        return message.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : message;
    }
}
